using System.Diagnostics;

namespace BotResilience.RateLimiting;

/// <summary>
/// Reads timestamps for the limiters. When the provider is <see cref="TimeProvider.System"/> the clock is read
/// with <see cref="Stopwatch.GetTimestamp"/> directly (no virtual call); all limiter state is kept in
/// timestamp ticks of the provider.
/// </summary>
internal static class LimiterClock
{
    /// <summary>Returns <see langword="null"/> for the system provider (read the stopwatch directly), else the provider.</summary>
    public static TimeProvider? CustomClockOf(TimeProvider provider) =>
        ReferenceEquals(provider, TimeProvider.System) ? null : provider;

    /// <summary>Reads the current timestamp of <paramref name="customClock"/>, or of the stopwatch when it is null.</summary>
    public static long Now(TimeProvider? customClock) =>
        customClock is null ? Stopwatch.GetTimestamp() : customClock.GetTimestamp();

    /// <summary>Converts a positive duration to timestamp ticks, rounding up.</summary>
    public static long ToTimestampTicks(TimeSpan duration, long frequency)
    {
        if (frequency == TimeSpan.TicksPerSecond)
        {
            return duration.Ticks;
        }

        var ticks = (((Int128)duration.Ticks * frequency) + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return ticks > long.MaxValue / 4 ? long.MaxValue / 4 : (long)ticks;
    }

    /// <summary>Converts timestamp ticks to a duration, rounding up so that waiting that long is always enough.</summary>
    public static TimeSpan ToTimeSpan(long timestampTicks, long frequency)
    {
        if (timestampTicks <= 0)
        {
            return TimeSpan.Zero;
        }

        if (frequency == TimeSpan.TicksPerSecond)
        {
            return TimeSpan.FromTicks(timestampTicks);
        }

        var ticks = (((Int128)timestampTicks * TimeSpan.TicksPerSecond) + frequency - 1) / frequency;
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }
}
