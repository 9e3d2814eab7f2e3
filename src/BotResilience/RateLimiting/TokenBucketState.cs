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

        var deficit = need - level;
        var wait = (deficit + _tokensPerPeriod - 1) / _tokensPerPeriod;
        return wait > long.MaxValue / 4 ? long.MaxValue / 4 : (long)wait;
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

        var wait = (need - level + _tokensPerPeriod - 1) / _tokensPerPeriod;
        return wait > long.MaxValue / 4 ? long.MaxValue / 4 : (long)wait;
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
