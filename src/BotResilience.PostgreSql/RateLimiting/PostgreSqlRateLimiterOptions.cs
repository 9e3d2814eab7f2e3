using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.Schema;
using BotResilience.RateLimiting;

namespace BotResilience.PostgreSql.RateLimiting;

/// <summary>Options of a rate limiter whose state lives in PostgreSQL and is shared by every replica.</summary>
public sealed class PostgreSqlRateLimiterOptions
{
    /// <summary>
    /// The limiter's name: replicas that use the same name (and schema) share one budget.
    /// </summary>
    /// <value>Default <c>default</c>; must not be empty.</value>
    public string Name { get; set; } = "default";

    /// <summary>
    /// The limit, as for the in-memory limiters: a <see cref="SlidingWindowLimiterOptions"/> (exact sliding log)
    /// or a <see cref="TokenBucketLimiterOptions"/>. Its <see cref="RateLimitOptions.QueueLimit"/> bounds the
    /// waiters of <c>AcquireAsync</c> in this process.
    /// </summary>
    /// <value>Required.</value>
    public RateLimitOptions? Limit { get; set; }

    /// <summary>The schema created by <see cref="PostgreSqlSchema.MigrateAsync"/>.</summary>
    /// <value>Default <c>botresilience</c>.</value>
    public string Schema { get; set; } = PostgreSqlSchema.DefaultSchema;

    /// <summary>What to do while the database cannot be reached.</summary>
    /// <value>Default <see cref="PostgreSqlUnavailablePolicy.FallBackToLocal"/>.</value>
    public PostgreSqlUnavailablePolicy UnavailablePolicy { get; set; } = PostgreSqlUnavailablePolicy.FallBackToLocal;

    /// <summary>
    /// How many replicas share the budget: the local fallback grants 1/<c>ReplicaCount</c> of it, so that all
    /// replicas together stay within the limit while the database is away.
    /// </summary>
    /// <value>Default 1; at least 1.</value>
    public int ReplicaCount { get; set; } = 1;

    /// <summary>The <c>RetryAfter</c> of refusals while failing closed.</summary>
    /// <value>Default 1 s; greater than zero.</value>
    public TimeSpan UnavailableRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a failed round trip, how long the fallback is used before the database is tried again.</summary>
    /// <value>Default 5 s; greater than zero.</value>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("PostgreSqlRateLimiterOptions.Name must not be empty.", nameof(Name));
        }

        if (Limit is not (SlidingWindowLimiterOptions or TokenBucketLimiterOptions))
        {
            throw new ArgumentException(
                "PostgreSqlRateLimiterOptions.Limit must be a SlidingWindowLimiterOptions or a TokenBucketLimiterOptions.", nameof(Limit));
        }

        // Validates the limit's own ranges with the core's messages.
        using (new KeyedRateLimiter<string>(Limit))
        {
        }

        _ = PostgreSqlSchema.QuoteSchema(Schema);
        if (ReplicaCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ReplicaCount), ReplicaCount, "PostgreSqlRateLimiterOptions.ReplicaCount must be at least 1.");
        }

        if (UnavailableRetryAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(UnavailableRetryAfter), UnavailableRetryAfter, "PostgreSqlRateLimiterOptions.UnavailableRetryAfter must be greater than zero.");
        }

        if (RecheckInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RecheckInterval), RecheckInterval, "PostgreSqlRateLimiterOptions.RecheckInterval must be greater than zero.");
        }
    }

    /// <summary>The limit scaled to 1/<see cref="ReplicaCount"/> of the budget, for the local fallback.</summary>
    internal RateLimitOptions LocalShare()
    {
        var n = ReplicaCount;
        switch (Limit)
        {
            case SlidingWindowLimiterOptions window:
                return window.PermitLimit >= n
                    ? new SlidingWindowLimiterOptions { PermitLimit = window.PermitLimit / n, Window = window.Window, QueueLimit = window.QueueLimit, Name = window.Name }
                    : new SlidingWindowLimiterOptions { PermitLimit = 1, Window = window.Window * Math.Ceiling((double)n / window.PermitLimit), QueueLimit = window.QueueLimit, Name = window.Name };
            case TokenBucketLimiterOptions bucket:
                var tokenLimit = Math.Max(1, bucket.TokenLimit / n);
                return bucket.TokensPerPeriod >= n
                    ? new TokenBucketLimiterOptions { TokenLimit = tokenLimit, TokensPerPeriod = bucket.TokensPerPeriod / n, ReplenishmentPeriod = bucket.ReplenishmentPeriod, QueueLimit = bucket.QueueLimit, Name = bucket.Name }
                    : new TokenBucketLimiterOptions { TokenLimit = tokenLimit, TokensPerPeriod = bucket.TokensPerPeriod, ReplenishmentPeriod = bucket.ReplenishmentPeriod * Math.Ceiling((double)n / bucket.TokensPerPeriod), QueueLimit = bucket.QueueLimit, Name = bucket.Name };
            default:
                throw new InvalidOperationException("Validate() first.");
        }
    }

    internal int MaxPermits => Limit switch
    {
        SlidingWindowLimiterOptions window => window.PermitLimit,
        TokenBucketLimiterOptions bucket => bucket.TokenLimit,
        _ => 0,
    };
}
