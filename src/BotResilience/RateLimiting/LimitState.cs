namespace BotResilience.RateLimiting;

/// <summary>
/// The mutable state of one limit. Not thread-safe: always used under the owning <see cref="LimiterCore"/>'s lock,
/// with non-decreasing timestamps.
/// </summary>
internal abstract class LimitState
{
    /// <summary>Timestamp ticks to wait until <paramref name="permits"/> can be granted; 0 when they can be granted now.</summary>
    public abstract long GetWait(long now, int permits);

    /// <summary>Consumes <paramref name="permits"/> at <paramref name="now"/>; only after <see cref="GetWait"/> returned 0.</summary>
    public abstract void Consume(long now, int permits);

    /// <summary>Consumes <paramref name="permits"/> when they can be granted now and returns 0; otherwise consumes nothing and returns the wait.</summary>
    public abstract long TryConsume(long now, int permits);

    /// <summary>The timestamp from which this state constrains nothing (equals a fresh state); may be in the future.</summary>
    public abstract long IdleSince();

    /// <summary>Permits that could be granted at <paramref name="now"/>.</summary>
    public abstract long AvailablePermits(long now);
}
