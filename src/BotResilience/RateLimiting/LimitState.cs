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

    /// <summary>
    /// Grant-only path for a clock known only within bounds: the real time of the call lies in
    /// <c>[low, high]</c>. Grants (and returns <see langword="true"/>) only if the permits are available even at
    /// <paramref name="low"/>, recording the consumption no earlier than <paramref name="high"/>, so the state never
    /// allows more than the exact state fed the same grants at their real times; otherwise changes nothing.
    /// </summary>
    public abstract bool TryConsumeBounded(long low, long high, int permits);

    /// <summary>The timestamp from which this state constrains nothing (equals a fresh state); may be in the future.</summary>
    public abstract long IdleSince();

    /// <summary>Permits that could be granted at <paramref name="now"/>.</summary>
    public abstract long AvailablePermits(long now);
}
