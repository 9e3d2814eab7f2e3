namespace BotResilience.RateLimiting;

/// <summary>The outcome of a rate-limit acquisition.</summary>
public enum RateLimitOutcome
{
    /// <summary>The permits were granted and consumed.</summary>
    Granted = 0,

    /// <summary>The limit is reached; see <see cref="RateLimitDecision.RetryAfter"/>.</summary>
    Throttled = 1,

    /// <summary>An asynchronous wait was refused because the wait queue is full.</summary>
    QueueFull = 2,
}
