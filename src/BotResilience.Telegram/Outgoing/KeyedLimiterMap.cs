using BotResilience.RateLimiting;

namespace BotResilience.Telegram.Outgoing;

/// <summary>
/// One core limiter per key, dropped once the key has been unused long enough for its limiter to be back to its
/// initial state (<c>idleAfter</c>: the longest window or full-refill time). A local stand-in for
/// <see cref="KeyedRateLimiter{TKey}"/>, whose current build loops forever when a new key's entry is swept at creation
/// (reported to the limiters owner). Thread-safe.
/// </summary>
internal sealed class KeyedLimiterMap<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Dictionary<TKey, Entry> _entries;
    private readonly Func<IRateLimiter> _factory;
    private readonly long _idleTicks;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private int _operations;

    public KeyedLimiterMap(Func<IRateLimiter> factory, TimeSpan idleAfter, TimeProvider time, IEqualityComparer<TKey>? comparer = null)
    {
        _factory = factory;
        _time = time;
        _idleTicks = (long)Math.Ceiling(idleAfter.Ticks * (time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        _entries = new Dictionary<TKey, Entry>(comparer);
    }

    public int TrackedKeyCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public RateLimitDecision TryAcquire(TKey key)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (++_operations >= 1024)
            {
                _operations = 0;
                Sweep(now);
            }

            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry(_factory());
                _entries[key] = entry;
            }

            var decision = entry.Limiter.TryAcquire();
            if (decision.IsGranted)
            {
                entry.LastGrant = now;
            }

            return decision;
        }
    }

    private void Sweep(long now)
    {
        List<TKey>? idle = null;
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.LastGrant >= _idleTicks)
            {
                (idle ??= []).Add(key);
            }
        }

        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _entries.Remove(key, out var entry);
                (entry!.Limiter as IDisposable)?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var entry in _entries.Values)
            {
                (entry.Limiter as IDisposable)?.Dispose();
            }

            _entries.Clear();
        }
    }

    private sealed class Entry(IRateLimiter limiter)
    {
        public IRateLimiter Limiter { get; } = limiter;

        public long LastGrant { get; set; } = long.MinValue / 2;
    }
}
