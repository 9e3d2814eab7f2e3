using System.Diagnostics;

namespace BotResilience.RateLimiting;

/// <summary>
/// A cheap lower bound of <see cref="Stopwatch.GetTimestamp"/>, read from <see cref="Environment.TickCount64"/>
/// (<c>CLOCK_MONOTONIC_COARSE</c> in milliseconds on Linux, the same time base as the stopwatch). Enabled only on
/// Linux, and only when a start-up measurement confirms that every coarse reading is at or before the stopwatch and
/// lags it by less than <see cref="LagTicks"/>; otherwise <see cref="Enabled"/> is false and the limiters read the
/// stopwatch. Used only by the single-limit fast path, and only to grant (see <see cref="LimitState.TryConsumeBounded"/>).
/// </summary>
internal static class CoarseClock
{
    private const int CalibrationMilliseconds = 60;

    /// <summary>Stopwatch ticks per millisecond.</summary>
    private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;

    static CoarseClock()
    {
        if (!OperatingSystem.IsLinux() || Stopwatch.Frequency % 1000 != 0 || Environment.GetEnvironmentVariable("BOTRESILIENCE_COARSE_CLOCK") == "0")
        {
            return;
        }

        // Measure the coarse clock's step (the kernel tick, e.g. 4 ms at HZ=250) and check that it lags the stopwatch.
        var deadline = Stopwatch.GetTimestamp() + (CalibrationMilliseconds * TicksPerMillisecond);
        var previous = Environment.TickCount64;
        long maxStep = 0;
        long maxLag = 0;
        var transitions = 0;
        while (transitions < 4 && Stopwatch.GetTimestamp() < deadline)
        {
            var coarse = Environment.TickCount64;
            var precise = Stopwatch.GetTimestamp();
            var lag = precise - (coarse * TicksPerMillisecond);
            if (lag < 0)
            {
                return; // not the same time base: never use it
            }

            maxLag = Math.Max(maxLag, lag);
            if (coarse != previous)
            {
                if (previous != 0 && transitions > 0)
                {
                    maxStep = Math.Max(maxStep, coarse - previous);
                }

                transitions++;
                previous = coarse;
            }
        }

        if (transitions < 3 || maxStep <= 0)
        {
            return;
        }

        // Lag < step (kernel tick) + 1 ms (millisecond truncation); doubled as a margin against a late tick.
        var lagTicks = ((2 * maxStep) + 1) * TicksPerMillisecond;
        if (maxLag >= lagTicks)
        {
            return;
        }

        LagTicks = lagTicks;
        Enabled = true;
    }

    /// <summary>Gets a value indicating whether the coarse clock may be used.</summary>
    public static bool Enabled { get; }

    /// <summary>Gets the bound on how far a coarse reading lags the stopwatch, in stopwatch ticks.</summary>
    public static long LagTicks { get; }

    /// <summary>Reads a timestamp at or before the current <see cref="Stopwatch.GetTimestamp"/> (by less than <see cref="LagTicks"/>).</summary>
    public static long LowerBound() => Environment.TickCount64 * TicksPerMillisecond;
}
