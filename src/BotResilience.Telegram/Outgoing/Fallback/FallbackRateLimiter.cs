using BotResilience.RateLimiting;

namespace BotResilience.Telegram.Outgoing.Fallback;

/// <summary>All-of limiter over <see cref="FallbackLimit"/> parts, thread-safe.</summary>
internal sealed class FallbackRateLimiter : IRateLimiter
{
    private readonly FallbackLimit[] _parts;
    private readonly TimeProvider _time;
    private readonly object _lock = new();

    public FallbackRateLimiter(TimeProvider time, params FallbackLimit[] parts)
    {
        _time = time;
        _parts = parts;
    }

    public RateLimitDecision TryAcquire(int permits = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(permits, 1);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var wait = TimeSpan.Zero;
            foreach (var part in _parts)
            {
                var w = part.Peek(now, _time);
                if (w > wait)
                {
                    wait = w;
                }
            }

            if (wait > TimeSpan.Zero)
            {
                return RateLimitDecision.Throttled(wait);
            }

            foreach (var part in _parts)
            {
                part.Commit(now, _time);
            }

            return RateLimitDecision.Granted;
        }
    }

    public bool IsIdle()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            return _parts.All(p => p.IsIdle(now, _time));
        }
    }

    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(TryAcquire(permits));

    public async ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var d = TryAcquire(permits);
            if (d.IsGranted)
            {
                return d;
            }

            await Task.Delay(d.RetryAfter, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
