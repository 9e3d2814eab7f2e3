using BotResilience.RateLimiting;

namespace BotResilience.Telegram.Dispatching;

/// <summary>Per-user exact sliding window plus the "tell them once per window" bookkeeping. Not thread-safe.</summary>
internal sealed class UserRateLimiter : IDisposable
{
    private readonly Outgoing.KeyedLimiterMap<long> _limiter;
    private readonly Dictionary<long, long> _notifiedUntil = [];
    private readonly TimeProvider _time;

    public UserRateLimiter(int limit, TimeSpan window, TimeProvider time)
    {
        _time = time;
        var options = new SlidingWindowLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 };
        _limiter = new Outgoing.KeyedLimiterMap<long>(() => new SlidingWindowLimiter(options, time), window, time);
    }

    /// <summary>Zero when granted; otherwise the wait, and whether the user should be told now.</summary>
    public TimeSpan TryAcquire(long user, out bool notify)
    {
        notify = false;
        var decision = _limiter.TryAcquire(user);
        if (decision.IsGranted)
        {
            return TimeSpan.Zero;
        }

        var now = _time.GetTimestamp();
        if (!_notifiedUntil.TryGetValue(user, out var until) || now >= until)
        {
            notify = true;
            _notifiedUntil[user] = now + (long)Math.Ceiling(decision.RetryAfter.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
            if (_notifiedUntil.Count > 1024)
            {
                foreach (var expired in _notifiedUntil.Where(p => p.Value <= now).Select(p => p.Key).ToList())
                {
                    _notifiedUntil.Remove(expired);
                }
            }
        }

        return decision.RetryAfter;
    }

    public void Dispose() => _limiter.Dispose();
}
