// TEMPORARY stand-in until feat/limiters merges (see README.md in this folder).
#pragma warning disable CS1591
namespace BotResilience.RateLimiting;

public abstract class RateLimitOptions { public int QueueLimit { get; set; } = 1000; }

public sealed class SlidingWindowLimiterOptions : RateLimitOptions { public int PermitLimit { get; set; } public TimeSpan Window { get; set; } }

public sealed class TokenBucketLimiterOptions : RateLimitOptions { public int TokenLimit { get; set; } public int TokensPerPeriod { get; set; } public TimeSpan ReplenishmentPeriod { get; set; } }

internal sealed class ShimLimitState
{
    private readonly RateLimitOptions[] _limits;
    private readonly TimeProvider _time;
    private readonly Queue<long>[] _logs;
    private readonly double[] _tokens;
    private readonly long[] _refilled;

    public ShimLimitState(IEnumerable<RateLimitOptions> limits, TimeProvider time)
    {
        _limits = limits.ToArray();
        _time = time;
        _logs = _limits.Select(_ => new Queue<long>()).ToArray();
        long now = time.GetTimestamp();
        _tokens = _limits.Select(l => l is TokenBucketLimiterOptions t ? (double)t.TokenLimit : 0).ToArray();
        _refilled = _limits.Select(_ => now).ToArray();
    }

    public long LastUse { get; private set; }

    public TimeSpan TryTake(int permits)
    {
        long now = _time.GetTimestamp();
        LastUse = now;
        TimeSpan wait = TimeSpan.Zero;
        for (int i = 0; i < _limits.Length; i++)
        {
            switch (_limits[i])
            {
                case SlidingWindowLimiterOptions s:
                    while (_logs[i].Count > 0 && _time.GetElapsedTime(_logs[i].Peek(), now) >= s.Window) { _logs[i].Dequeue(); }
                    if (_logs[i].Count + permits > s.PermitLimit)
                    {
                        TimeSpan w = s.Window - _time.GetElapsedTime(_logs[i].ElementAt(_logs[i].Count + permits - s.PermitLimit - 1), now);
                        if (w > wait) { wait = w; }
                    }
                    break;
                case TokenBucketLimiterOptions t:
                    double periods = _time.GetElapsedTime(_refilled[i], now) / t.ReplenishmentPeriod;
                    _tokens[i] = Math.Min(t.TokenLimit, _tokens[i] + (periods * t.TokensPerPeriod));
                    _refilled[i] = now;
                    if (_tokens[i] < permits)
                    {
                        TimeSpan w = t.ReplenishmentPeriod * ((permits - _tokens[i]) / t.TokensPerPeriod);
                        if (w > wait) { wait = w; }
                    }
                    break;
            }
        }

        if (wait > TimeSpan.Zero) { return wait; }
        for (int i = 0; i < _limits.Length; i++)
        {
            if (_limits[i] is SlidingWindowLimiterOptions) { for (int p = 0; p < permits; p++) { _logs[i].Enqueue(now); } }
            else { _tokens[i] -= permits; }
        }

        return TimeSpan.Zero;
    }
}

internal sealed class ShimLimiter : IRateLimiter
{
    private readonly ShimLimitState _state;
    private readonly TimeProvider _time;
    private readonly int _queueLimit;
    private int _queued;

    public ShimLimiter(IEnumerable<RateLimitOptions> limits, TimeProvider? time)
    {
        _time = time ?? TimeProvider.System;
        RateLimitOptions[] l = limits.ToArray();
        _queueLimit = l.Min(x => x.QueueLimit);
        _state = new ShimLimitState(l, _time);
    }

    public RateLimitDecision TryAcquire(int permits = 1)
    {
        lock (_state)
        {
            TimeSpan w = _state.TryTake(permits);
            return w == TimeSpan.Zero ? RateLimitDecision.Granted : RateLimitDecision.Throttled(w);
        }
    }

    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default) => new(TryAcquire(permits));

    public async ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _queued) > _queueLimit + 1)
        {
            Interlocked.Decrement(ref _queued);
            return RateLimitDecision.QueueFull(TimeSpan.FromSeconds(1));
        }

        try
        {
            while (true)
            {
                RateLimitDecision d = TryAcquire(permits);
                if (d.IsGranted) { return d; }
                await Task.Delay(d.RetryAfter < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : d.RetryAfter, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally { Interlocked.Decrement(ref _queued); }
    }
}

public sealed class SlidingWindowLimiter : IRateLimiter, IDisposable
{
    private readonly ShimLimiter _inner;
    public SlidingWindowLimiter(SlidingWindowLimiterOptions options, TimeProvider? timeProvider = null) => _inner = new ShimLimiter([options], timeProvider);
    public RateLimitDecision TryAcquire(int permits = 1) => _inner.TryAcquire(permits);
    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default) => _inner.TryAcquireAsync(permits, cancellationToken);
    public ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default) => _inner.AcquireAsync(permits, cancellationToken);
    public void Dispose() { }
}

public sealed class TokenBucketLimiter : IRateLimiter, IDisposable
{
    private readonly ShimLimiter _inner;
    public TokenBucketLimiter(TokenBucketLimiterOptions options, TimeProvider? timeProvider = null) => _inner = new ShimLimiter([options], timeProvider);
    public RateLimitDecision TryAcquire(int permits = 1) => _inner.TryAcquire(permits);
    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default) => _inner.TryAcquireAsync(permits, cancellationToken);
    public ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default) => _inner.AcquireAsync(permits, cancellationToken);
    public void Dispose() { }
}

public sealed class CompositeLimiter : IRateLimiter, IDisposable
{
    private readonly ShimLimiter _inner;
    public CompositeLimiter(IEnumerable<RateLimitOptions> limits, TimeProvider? timeProvider = null) => _inner = new ShimLimiter(limits, timeProvider);
    public RateLimitDecision TryAcquire(int permits = 1) => _inner.TryAcquire(permits);
    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default) => _inner.TryAcquireAsync(permits, cancellationToken);
    public ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default) => _inner.AcquireAsync(permits, cancellationToken);
    public void Dispose() { }
}

public sealed class KeyedRateLimiter<TKey> : IKeyedRateLimiter<TKey>, IDisposable where TKey : notnull
{
    private readonly RateLimitOptions[] _limits;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TKey, ShimLimiter> _keys;

    public KeyedRateLimiter(RateLimitOptions limit, TimeProvider? timeProvider = null, IEqualityComparer<TKey>? comparer = null) : this([limit], timeProvider, comparer) { }

    public KeyedRateLimiter(IEnumerable<RateLimitOptions> limits, TimeProvider? timeProvider = null, IEqualityComparer<TKey>? comparer = null)
    {
        _limits = limits.ToArray();
        _time = timeProvider ?? TimeProvider.System;
        _keys = new(comparer);
    }

    public int TrackedKeyCount => _keys.Count;
    private ShimLimiter For(TKey key) => _keys.GetOrAdd(key, _ => new ShimLimiter(_limits, _time));
    public RateLimitDecision TryAcquire(TKey key, int permits = 1) => For(key).TryAcquire(permits);
    public ValueTask<RateLimitDecision> TryAcquireAsync(TKey key, int permits = 1, CancellationToken cancellationToken = default) => For(key).TryAcquireAsync(permits, cancellationToken);
    public ValueTask<RateLimitDecision> AcquireAsync(TKey key, int permits = 1, CancellationToken cancellationToken = default) => For(key).AcquireAsync(permits, cancellationToken);
    public void Dispose() { }
}
