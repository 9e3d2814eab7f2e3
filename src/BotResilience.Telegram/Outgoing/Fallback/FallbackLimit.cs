namespace BotResilience.Telegram.Outgoing.Fallback;

/// <summary>
/// A private, minimal limit used until the core limiters are available on this branch: a token bucket or an
/// exact sliding log. Not thread-safe: the owner locks.
/// </summary>
internal abstract class FallbackLimit
{
    /// <summary>Time until one permit would be granted (zero = now).</summary>
    public abstract TimeSpan Peek(long now, TimeProvider time);

    /// <summary>Consumes one permit (call only after <see cref="Peek"/> returned zero).</summary>
    public abstract void Commit(long now, TimeProvider time);

    /// <summary>True when the limit no longer remembers anything that constrains.</summary>
    public abstract bool IsIdle(long now, TimeProvider time);
}

internal sealed class FallbackTokenBucket : FallbackLimit
{
    private readonly int _capacity;
    private readonly int _perPeriod;
    private readonly TimeSpan _period;
    private double _tokens;
    private long _last;

    public FallbackTokenBucket(int capacity, int perPeriod, TimeSpan period, long now)
    {
        _capacity = capacity;
        _perPeriod = perPeriod;
        _period = period;
        _tokens = capacity;
        _last = now;
    }

    private void Refill(long now, TimeProvider time)
    {
        var elapsed = time.GetElapsedTime(_last, now);
        if (elapsed > TimeSpan.Zero)
        {
            _tokens = Math.Min(_capacity, _tokens + (elapsed.Ticks * (double)_perPeriod / _period.Ticks));
            _last = now;
        }
    }

    public override TimeSpan Peek(long now, TimeProvider time)
    {
        Refill(now, time);
        if (_tokens >= 1 - 1e-9)
        {
            return TimeSpan.Zero;
        }

        var missing = 1 - _tokens;
        return TimeSpan.FromTicks((long)Math.Ceiling(missing * _period.Ticks / _perPeriod));
    }

    public override void Commit(long now, TimeProvider time)
    {
        Refill(now, time);
        _tokens = Math.Max(0, _tokens - 1);
    }

    public override bool IsIdle(long now, TimeProvider time)
    {
        Refill(now, time);
        return _tokens >= _capacity - 1e-9;
    }
}

internal sealed class FallbackSlidingLog : FallbackLimit
{
    private readonly long[] _ring;
    private readonly TimeSpan _window;
    private int _head;
    private int _count;

    public FallbackSlidingLog(int permits, TimeSpan window)
    {
        _ring = new long[permits];
        _window = window;
    }

    private void Expire(long now, TimeProvider time)
    {
        while (_count > 0 && time.GetElapsedTime(_ring[_head], now) >= _window)
        {
            _head = (_head + 1) % _ring.Length;
            _count--;
        }
    }

    public override TimeSpan Peek(long now, TimeProvider time)
    {
        Expire(now, time);
        if (_count < _ring.Length)
        {
            return TimeSpan.Zero;
        }

        var wait = _window - time.GetElapsedTime(_ring[_head], now);
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1);
    }

    public override void Commit(long now, TimeProvider time)
    {
        Expire(now, time);
        _ring[(_head + _count) % _ring.Length] = now;
        _count++;
    }

    public override bool IsIdle(long now, TimeProvider time)
    {
        Expire(now, time);
        return _count == 0;
    }
}
