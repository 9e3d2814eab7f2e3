namespace BotResilience.RateLimiting;

/// <summary>
/// Options of an exact sliding-window limit: in every interval of length <see cref="Window"/> at most
/// <see cref="PermitLimit"/> permits are granted (a sliding log of grant timestamps, not segments).
/// </summary>
public sealed class SlidingWindowLimiterOptions : RateLimitOptions
{
    /// <summary>Gets or sets the maximum number of permits granted within any interval of length <see cref="Window"/>.</summary>
    /// <value>The default is <c>1</c>. Allowed range: <c>1</c> to <c>16777216</c> (the log keeps one timestamp per permit).</value>
    public int PermitLimit { get; set; } = 1;

    /// <summary>Gets or sets the length of the sliding window.</summary>
    /// <value>The default is one second. Must be greater than <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest allowed <see cref="PermitLimit"/>.</summary>
    internal const int MaxPermitLimit = 1 << 24;

    internal override LimitSpec ToSpec(long timestampFrequency)
    {
        if (PermitLimit < 1 || PermitLimit > MaxPermitLimit)
        {
            throw OutOfRange(
                nameof(PermitLimit),
                PermitLimit,
                $"{nameof(SlidingWindowLimiterOptions)}.{nameof(PermitLimit)} must be between 1 and {MaxPermitLimit}; was {PermitLimit}.");
        }

        if (Window <= TimeSpan.Zero)
        {
            throw OutOfRange(
                nameof(Window),
                Window,
                $"{nameof(SlidingWindowLimiterOptions)}.{nameof(Window)} must be greater than zero (allowed range: > 00:00:00); was {Window}.");
        }

        ValidateQueueLimit(QueueLimit, nameof(SlidingWindowLimiterOptions));
        return LimitSpec.SlidingWindow(PermitLimit, LimiterClock.ToTimestampTicks(Window, timestampFrequency), QueueLimit, Name);
    }
}
