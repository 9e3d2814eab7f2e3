namespace BotResilience.Retry;

/// <summary>Delays that never end early: re-checks the elapsed time after each timer and waits for the rest.</summary>
internal static class PreciseDelay
{
    private static readonly TimeSpan MaxStep = TimeSpan.FromDays(1);

    public static ValueTask WaitAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : default;
        }

        return WaitSlowAsync(timeProvider, delay, cancellationToken);
    }

    private static async ValueTask WaitSlowAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        var start = timeProvider.GetTimestamp();
        var remaining = delay;
        while (remaining > TimeSpan.Zero)
        {
            await Task.Delay(RoundForClock(remaining), timeProvider, cancellationToken).ConfigureAwait(false);
            remaining = delay - timeProvider.GetElapsedTime(start);
        }
    }

    /// <summary>
    /// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> works in whole milliseconds and truncates
    /// (a sub-millisecond delay completes at once): round up so a wait never ends early and never spins.
    /// </summary>
    /// <remarks>Steps longer than a day are split (the loops re-check and continue), as timers cap at ~49 days.</remarks>
    public static TimeSpan RoundForClock(TimeSpan delay)
    {
        if (delay > MaxStep)
        {
            return MaxStep;
        }

        var ticks = delay.Ticks;
        var remainder = ticks % TimeSpan.TicksPerMillisecond;
        return remainder == 0 ? delay : TimeSpan.FromTicks(ticks - remainder + TimeSpan.TicksPerMillisecond);
    }
}
