namespace BotResilience.RateLimiting;

/// <summary>
/// Token bucket refilled continuously and lazily. The level is kept exactly in units of 1/period-ticks of a
/// token (one token = <c>periodTicks</c> units, <c>tokensPerPeriod</c> units are added per tick), in 128 bits
/// so that no configuration overflows.
/// </summary>
internal sealed class TokenBucketState : LimitState
{
    private readonly Int128 _capacity;
    private readonly long _periodTicks;
    private readonly long _tokensPerPeriod;
    private Int128 _level;
    private long _last;

    public TokenBucketState(int tokenLimit, int tokensPerPeriod, long periodTicks, long now)
    {
        _periodTicks = periodTicks;
        _tokensPerPeriod = tokensPerPeriod;
        _capacity = Math.BigMul(tokenLimit, periodTicks);
        _level = _capacity;
        _last = now;
    }

    public override long GetWait(long now, int permits)
    {
        var level = LevelAt(now);
        var need = Math.BigMul(permits, _periodTicks);
        if (level >= need)
        {
            return 0;
        }

        return WaitFor(need - level, now);
    }

    public override long TryConsume(long now, int permits)
    {
        var level = LevelAt(now);
        var need = Math.BigMul(permits, _periodTicks);
        if (level >= need)
        {
            _level = level - need;
            _last = now;
            return 0;
        }

        return WaitFor(need - level, now);
    }

    /// <summary>
    /// Grant-only fast path for a clock known only within bounds: the real time of this call lies in
    /// <c>[low, high]</c>. Refill is credited only up to <paramref name="low"/> (never more than the exact bucket
    /// at the real time), and the consumption is recorded at <paramref name="high"/> (at or after the real time,
    /// so the next refill is never credited for time before the real consumption). By induction the level is
    /// never above that of the exact bucket fed the same grants at their real times, so whatever this grants the
    /// exact bucket would have granted. Consumes and returns <see langword="true"/>, or changes nothing and
    /// returns <see langword="false"/> (the caller then decides exactly with the precise clock).
    /// </summary>
    public override bool TryConsumeBounded(long low, long high, int permits)
    {
        var level = LevelAt(low);
        var need = Math.BigMul(permits, _periodTicks);
        if (level < need)
        {
            return false;
        }

        _level = level - need;
        if (high > _last)
        {
            _last = high;
        }

        return true;
    }

    public override void Consume(long now, int permits)
    {
        _level = LevelAt(now) - Math.BigMul(permits, _periodTicks);
        _last = now;
    }

    public override long IdleSince()
    {
        var missing = _capacity - _level;
        if (missing <= 0)
        {
            return _last;
        }

        var fill = (missing + _tokensPerPeriod - 1) / _tokensPerPeriod;
        return fill > long.MaxValue / 4 ? long.MaxValue : _last + (long)fill;
    }

    public override long AvailablePermits(long now) => (long)(LevelAt(now) / _periodTicks);

    /// <summary>
    /// Ticks until <paramref name="deficit"/> units have been refilled; refill starts at <c>_last</c>, which the
    /// bounded fast path may have put after <paramref name="now"/>.
    /// </summary>
    private long WaitFor(Int128 deficit, long now)
    {
        var wait = (deficit + _tokensPerPeriod - 1) / _tokensPerPeriod;
        if (_last > now)
        {
            wait += _last - now;
        }

        return wait > long.MaxValue / 4 ? long.MaxValue / 4 : (long)wait;
    }

    private Int128 LevelAt(long now)
    {
        var level = _level;
        if (level == _capacity)
        {
            return level;
        }

        var elapsed = now - _last;
        if (elapsed > 0)
        {
            level += Math.BigMul(elapsed, _tokensPerPeriod);
            if (level > _capacity)
            {
                level = _capacity;
            }
        }

        return level;
    }
}
