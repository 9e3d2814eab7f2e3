using System.Collections.Concurrent;
using BotResilience.RateLimiting;

namespace BotResilience.SampleBot.Features;

/// <summary>What to do with one incoming message of a user.</summary>
public enum SpamVerdict
{
    /// <summary>Handle it.</summary>
    Allow,

    /// <summary>Refuse it and tell the user once ("too many requests, wait N s").</summary>
    Warn,

    /// <summary>Refuse it silently (already warned in this window).</summary>
    Drop,
}

/// <summary>
/// Seed 000: per-user exact sliding window (10 messages per 60 s by default). A throttled user is answered once
/// per window, then ignored until the window lets them in again.
/// </summary>
public sealed class AntiSpam : IDisposable
{
    private readonly KeyedRateLimiter<long> _limiter;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, long> _warnedUntil = new();

    /// <summary>Creates the gate.</summary>
    /// <param name="permitLimit">Messages per window.</param>
    /// <param name="window">Window.</param>
    /// <param name="timeProvider">Clock.</param>
    public AntiSpam(int permitLimit, TimeSpan window, TimeProvider timeProvider)
    {
        _time = timeProvider;
        _limiter = new KeyedRateLimiter<long>(new SlidingWindowLimiterOptions { PermitLimit = permitLimit, Window = window, QueueLimit = 0 }, timeProvider);
    }

    /// <summary>Users whose limiter state is held.</summary>
    public int TrackedUsers => _limiter.TrackedKeyCount;

    /// <summary>Decides for one message.</summary>
    /// <param name="userId">Sender.</param>
    /// <param name="retryAfter">When refused: how long until the user may write again.</param>
    public SpamVerdict Check(long userId, out TimeSpan retryAfter)
    {
        RateLimitDecision decision = _limiter.TryAcquire(userId);
        retryAfter = decision.RetryAfter;
        if (decision.IsGranted)
        {
            return SpamVerdict.Allow;
        }

        long now = _time.GetTimestamp();
        long until = now + (long)(decision.RetryAfter.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            if (_warnedUntil.TryGetValue(userId, out long previous))
            {
                if (now < previous)
                {
                    return SpamVerdict.Drop;
                }

                if (_warnedUntil.TryUpdate(userId, until, previous))
                {
                    return SpamVerdict.Warn;
                }
            }
            else if (_warnedUntil.TryAdd(userId, until))
            {
                return SpamVerdict.Warn;
            }
        }
    }

    /// <summary>Forgets warnings that have expired (called by the cleanup worker).</summary>
    public int Sweep()
    {
        long now = _time.GetTimestamp();
        int removed = 0;
        foreach (KeyValuePair<long, long> p in _warnedUntil)
        {
            if (p.Value <= now && _warnedUntil.TryRemove(p))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
