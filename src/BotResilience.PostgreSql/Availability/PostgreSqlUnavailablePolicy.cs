namespace BotResilience.PostgreSql.Availability;

/// <summary>What a PostgreSQL-backed component does while the database cannot be reached.</summary>
public enum PostgreSqlUnavailablePolicy
{
    /// <summary>
    /// Fall back to local, in-process state: limiters grant at most 1/<c>ReplicaCount</c> of the budget (so N
    /// replicas together stay within it), the flood gate and the de-duplicator keep working per process.
    /// </summary>
    FallBackToLocal = 0,

    /// <summary>
    /// Refuse: limiters answer <see cref="BotResilience.RateLimiting.RateLimitOutcome.Throttled"/> (nothing is
    /// sent), the de-duplicator throws <see cref="PostgreSqlUnavailableException"/> (so a webhook answers 5xx and
    /// Telegram re-sends the update later).
    /// </summary>
    FailClosed = 1,
}
