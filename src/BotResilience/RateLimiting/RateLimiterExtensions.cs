using System.Threading.RateLimiting;

namespace BotResilience.RateLimiting;

/// <summary>
/// Adapters to System.Threading.RateLimiting, so BotResilience limiters plug into ASP.NET Core rate limiting,
/// Polly and anything else that expects a <see cref="RateLimiter"/> or <see cref="PartitionedRateLimiter{TResource}"/>.
/// </summary>
public static class RateLimiterExtensions
{
    /// <summary>
    /// Presents <paramref name="limiter"/> as a <see cref="RateLimiter"/>. Failed leases carry
    /// <see cref="MetadataName.RetryAfter"/>; a granted lease is a shared instance (no allocation). Disposing the
    /// adapter disposes the limiter.
    /// </summary>
    /// <param name="limiter">The limiter.</param>
    /// <returns>The adapter.</returns>
    public static RateLimiter AsRateLimiter(this IRateLimiter limiter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        return new RateLimiterAdapter(limiter);
    }

    /// <summary>
    /// Presents <paramref name="limiter"/> as a <see cref="PartitionedRateLimiter{TResource}"/> whose resource is the key.
    /// Failed leases carry <see cref="MetadataName.RetryAfter"/>. Disposing the adapter disposes the limiter.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="limiter">The keyed limiter.</param>
    /// <returns>The adapter.</returns>
    public static PartitionedRateLimiter<TKey> AsPartitionedRateLimiter<TKey>(this IKeyedRateLimiter<TKey> limiter)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(limiter);
        return new PartitionedRateLimiterAdapter<TKey>(limiter);
    }
}
