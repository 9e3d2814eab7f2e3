using BotResilience.RateLimiting;

namespace BotResilience.Telegram.Outgoing.Fallback;

/// <summary>Keyed form of <see cref="FallbackRateLimiter"/>; idle keys are dropped on a sweep.</summary>
internal sealed class FallbackKeyedRateLimiter : IKeyedRateLimiter<string>
{
    private readonly Func<long, FallbackLimit[]> _factory;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, FallbackRateLimiter> _keys = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private int _sinceSweep;

    public FallbackKeyedRateLimiter(Func<long, FallbackLimit[]> factory, TimeProvider time)
    {
        _factory = factory;
        _time = time;
    }

    public int TrackedKeyCount
    {
        get
        {
            lock (_lock)
            {
                return _keys.Count;
            }
        }
    }

    public RateLimitDecision TryAcquire(string key, int permits = 1)
    {
        FallbackRateLimiter limiter;
        lock (_lock)
        {
            if (++_sinceSweep >= 1024 || _keys.Count > 4096)
            {
                _sinceSweep = 0;
                foreach (var idle in _keys.Where(k => k.Value.IsIdle()).Select(k => k.Key).ToList())
                {
                    _keys.Remove(idle);
                }
            }

            if (!_keys.TryGetValue(key, out limiter!))
            {
                limiter = new FallbackRateLimiter(_time, _factory(_time.GetTimestamp()));
                _keys[key] = limiter;
            }
        }

        return limiter.TryAcquire(permits);
    }

    public ValueTask<RateLimitDecision> TryAcquireAsync(string key, int permits = 1, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(TryAcquire(key, permits));

    public async ValueTask<RateLimitDecision> AcquireAsync(string key, int permits = 1, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var d = TryAcquire(key, permits);
            if (d.IsGranted)
            {
                return d;
            }

            await Task.Delay(d.RetryAfter, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
