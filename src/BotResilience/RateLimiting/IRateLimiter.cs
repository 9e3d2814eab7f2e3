namespace BotResilience.RateLimiting;

/// <summary>
/// A rate limiter: grants permits while a limit holds and tells callers exactly how long to wait otherwise.
/// Implementations are thread-safe and own no timers.
/// </summary>
public interface IRateLimiter
{
    /// <summary>
    /// Tries to acquire <paramref name="permits"/> without waiting. On refusal nothing is consumed and
    /// <see cref="RateLimitDecision.RetryAfter"/> is the exact time after which the same request would be granted.
    /// </summary>
    /// <param name="permits">Permits to acquire; at least 1 and at most what the limit can ever grant.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is outside the allowed range.</exception>
    RateLimitDecision TryAcquire(int permits = 1);

    /// <summary>
    /// Like <see cref="TryAcquire(int)"/> for limiters whose state lives elsewhere (a database); in-memory
    /// limiters complete synchronously without allocating.
    /// </summary>
    /// <param name="permits">Permits to acquire.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until <paramref name="permits"/> are granted, first-in first-out among waiters. Returns a
    /// <see cref="RateLimitOutcome.QueueFull"/> decision at once when the wait queue is full.
    /// </summary>
    /// <param name="permits">Permits to acquire.</param>
    /// <param name="cancellationToken">Cancels the wait; the waiter leaves the queue and nothing is consumed.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default);
}
