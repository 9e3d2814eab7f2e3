namespace BotResilience.RateLimiting;

/// <summary>The state of one key of a <see cref="KeyedRateLimiter{TKey}"/>.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
internal sealed class KeyedLimiterEntry<TKey> : LimiterCore
    where TKey : notnull
{
    public KeyedLimiterEntry(LimiterDefinition definition, long now, TKey key)
        : base(definition, now)
    {
        Key = key;
    }

    public TKey Key { get; }

    /// <summary>Position in the sweep list; guarded by the keyed limiter's sweep lock.</summary>
    public int SweepIndex { get; set; }
}
