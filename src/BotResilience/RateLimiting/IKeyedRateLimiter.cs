namespace BotResilience.RateLimiting;

/// <summary>
/// One limit definition applied independently to any number of keys (chat, user, session...). State is kept
/// only for keys that still constrain something, so memory follows the active keys.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
public interface IKeyedRateLimiter<in TKey>
    where TKey : notnull
{
    /// <summary>Number of keys whose state is currently held.</summary>
    int TrackedKeyCount { get; }

    /// <summary>Tries to acquire for <paramref name="key"/> without waiting; see <see cref="IRateLimiter.TryAcquire(int)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="permits">Permits to acquire.</param>
    RateLimitDecision TryAcquire(TKey key, int permits = 1);

    /// <summary>Asynchronous form of <see cref="TryAcquire(TKey, int)"/>; see <see cref="IRateLimiter.TryAcquireAsync(int, CancellationToken)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="permits">Permits to acquire.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    ValueTask<RateLimitDecision> TryAcquireAsync(TKey key, int permits = 1, CancellationToken cancellationToken = default);

    /// <summary>Waits for <paramref name="key"/>; see <see cref="IRateLimiter.AcquireAsync(int, CancellationToken)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="permits">Permits to acquire.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask<RateLimitDecision> AcquireAsync(TKey key, int permits = 1, CancellationToken cancellationToken = default);
}
