namespace BotResilience.RateLimiting;

/// <summary>
/// Options of a token bucket: it holds at most <see cref="TokenLimit"/> tokens, starts full and refills
/// continuously at <see cref="TokensPerPeriod"/> tokens per <see cref="ReplenishmentPeriod"/>, computed lazily
/// from timestamps (no timer). Over any interval of length <c>d</c> it grants at most
/// <c>TokenLimit + TokensPerPeriod * d / ReplenishmentPeriod</c> permits.
/// </summary>
public sealed class TokenBucketLimiterOptions : RateLimitOptions
{
    /// <summary>Gets or sets the capacity of the bucket (the largest burst).</summary>
    /// <value>The default is <c>1</c>. Allowed range: <c>1</c> to <see cref="int.MaxValue"/>.</value>
    public int TokenLimit { get; set; } = 1;

    /// <summary>Gets or sets the number of tokens added per <see cref="ReplenishmentPeriod"/>.</summary>
    /// <value>The default is <c>1</c>. Allowed range: <c>1</c> to <see cref="int.MaxValue"/>.</value>
    public int TokensPerPeriod { get; set; } = 1;

    /// <summary>Gets or sets the period in which <see cref="TokensPerPeriod"/> tokens are added (continuously, not in steps).</summary>
    /// <value>The default is one second. Must be greater than <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    internal override LimitSpec ToSpec(long timestampFrequency)
    {
        if (TokenLimit < 1)
        {
            throw OutOfRange(
                nameof(TokenLimit),
                TokenLimit,
                $"{nameof(TokenBucketLimiterOptions)}.{nameof(TokenLimit)} must be between 1 and {int.MaxValue}; was {TokenLimit}.");
        }

        if (TokensPerPeriod < 1)
        {
            throw OutOfRange(
                nameof(TokensPerPeriod),
                TokensPerPeriod,
                $"{nameof(TokenBucketLimiterOptions)}.{nameof(TokensPerPeriod)} must be between 1 and {int.MaxValue}; was {TokensPerPeriod}.");
        }

        if (ReplenishmentPeriod <= TimeSpan.Zero)
        {
            throw OutOfRange(
                nameof(ReplenishmentPeriod),
                ReplenishmentPeriod,
                $"{nameof(TokenBucketLimiterOptions)}.{nameof(ReplenishmentPeriod)} must be greater than zero (allowed range: > 00:00:00); was {ReplenishmentPeriod}.");
        }

        ValidateQueueLimit(QueueLimit, nameof(TokenBucketLimiterOptions));
        return LimitSpec.TokenBucket(TokenLimit, TokensPerPeriod, LimiterClock.ToTimestampTicks(ReplenishmentPeriod, timestampFrequency), QueueLimit, Name);
    }
}
