namespace BotResilience.Retry;

/// <summary>Delays that never end early: re-checks the elapsed time after each timer and waits for the rest.</summary>
internal static class PreciseDelay
{
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
            await Task.Delay(RoundForClock(timeProvider, remaining), timeProvider, cancellationToken).ConfigureAwait(false);
            remaining = delay - timeProvider.GetElapsedTime(start);
        }
    }

    /// <summary>The system timer works in whole milliseconds and truncates: round up so a wait never ends early.</summary>
    public static TimeSpan RoundForClock(TimeProvider timeProvider, TimeSpan delay) =>
        ReferenceEquals(timeProvider, TimeProvider.System) ? TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds)) : delay;
}
