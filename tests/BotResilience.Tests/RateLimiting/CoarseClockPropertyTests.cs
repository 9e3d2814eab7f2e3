using BotResilience.RateLimiting;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.RateLimiting;

/// <summary>
/// The token bucket's coarse-clock fast path: with a clock that lags real time by up to <c>r</c> (and is monotone),
/// grants taken through <see cref="TokenBucketState.TryConsumeBounded"/> (with the precise clock as fallback, as the
/// limiter does) never exceed what the exact bucket allows over any real interval, and a refusal's wait is enough.
/// </summary>
public sealed class CoarseClockPropertyTests
{
    [Fact]
    public void Coarse_fast_path_never_grants_more_than_capacity_plus_rate_times_real_d()
    {
        var steps = Gen.ListOf(
            from dt in Gen.Frequency((3, Gen.Choose(0, 3)), (2, Gen.Choose(0, 40)), (1, Gen.Choose(0, 400)))
            from lag in Gen.Choose(0, 1_000)
            from permits in Gen.Frequency((4, Gen.Constant(1)), (1, Gen.Choose(1, 3)))
            select (Dt: (long)dt, LagFraction: lag, Permits: permits));
        var cases =
            from capacity in Gen.Choose(1, 5)
            from perPeriod in Gen.Choose(1, 3)
            from period in Gen.Elements(1L, 7L, 100L, 1_000L)
            from r in Gen.Choose(1, 50)
            from schedule in steps
            select (capacity, perPeriod, period, R: (long)r, schedule);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var bucket = new TokenBucketState(c.capacity, c.perPeriod, c.period, 0);
            var granted = new List<(long At, int Permits)>();
            long real = 0;
            long coarse = 0;
            long? retryAt = null;
            var retryPermits = 0;
            foreach (var (dt, lagFraction, requested) in c.schedule)
            {
                real += dt;
                coarse = Math.Max(coarse, real - (c.R * lagFraction / 1_001)); // monotone, real - r < coarse <= real
                var permits = Math.Min(requested, c.capacity);
                if (bucket.TryConsumeBounded(coarse, coarse + c.R, permits))
                {
                    granted.Add((real, permits));
                    retryAt = null;
                    continue;
                }

                var wait = bucket.TryConsume(real, permits);
                if (wait == 0)
                {
                    granted.Add((real, permits));
                    retryAt = null;
                    continue;
                }

                if (retryAt is { } due && real >= due && permits <= retryPermits)
                {
                    return false; // an earlier refusal's wait was too short (nothing was granted since)
                }

                if (retryAt is null || permits < retryPermits)
                {
                    retryAt = real + wait;
                    retryPermits = permits;
                }
            }

            // Over every real interval [a, b] between grant instants: grants * period <= capacity * period + rate * (b - a).
            foreach (var (a, _) in granted)
            {
                foreach (var (b, _) in granted)
                {
                    if (b < a)
                    {
                        continue;
                    }

                    var sum = granted.Where(g => g.At >= a && g.At <= b).Sum(g => (long)g.Permits);
                    if (sum * c.period > (c.capacity * c.period) + (c.perPeriod * (b - a)))
                    {
                        return false;
                    }
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Coarse_fast_path_never_grants_more_than_permit_limit_in_any_real_window()
    {
        var steps = Gen.ListOf(
            from dt in Gen.Frequency((3, Gen.Choose(0, 3)), (2, Gen.Choose(0, 40)), (1, Gen.Choose(0, 400)))
            from lag in Gen.Choose(0, 1_000)
            from permits in Gen.Frequency((4, Gen.Constant(1)), (1, Gen.Choose(1, 3)))
            select (Dt: (long)dt, LagFraction: lag, Permits: permits));
        var cases =
            from limit in Gen.Choose(1, 5)
            from window in Gen.Elements(1L, 7L, 100L, 1_000L)
            from r in Gen.Choose(1, 50)
            from schedule in steps
            select (limit, window, R: (long)r, schedule);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var log = new SlidingLogState(c.limit, c.window);
            var granted = new List<(long At, int Permits)>();
            long real = 0;
            long coarse = 0;
            long? retryAt = null;
            var retryPermits = 0;
            foreach (var (dt, lagFraction, requested) in c.schedule)
            {
                real += dt;
                coarse = Math.Max(coarse, real - (c.R * lagFraction / 1_001));
                var permits = Math.Min(requested, c.limit);
                var wait = log.TryConsumeBounded(coarse, coarse + c.R, permits) ? 0 : log.TryConsume(real, permits);
                if (wait == 0)
                {
                    granted.Add((real, permits));
                    retryAt = null;
                    continue;
                }

                if (retryAt is { } due && real >= due && permits <= retryPermits)
                {
                    return false;
                }

                if (retryAt is null || permits < retryPermits)
                {
                    retryAt = real + wait;
                    retryPermits = permits;
                }
            }

            // Every half-open real interval (a - window, a] ending at a grant holds at most limit permits.
            return granted.All(g => granted.Where(h => h.At > g.At - c.window && h.At <= g.At).Sum(h => h.Permits) <= c.limit);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Without_the_bounded_correction_a_lagging_clock_over_grants()
    {
        // Guards the test above: crediting refill up to the coarse reading and recording the grant at it too
        // (i.e. using the lagging clock as if exact) grants 2 permits within less than one period of real time.
        var naive = new TokenBucketState(1, 1, 100, 0);
        Assert.Equal(0, naive.TryConsume(0, 1));   // real 40, coarse reads 0 (lag 40)
        Assert.Equal(0, naive.TryConsume(100, 1)); // real 100, coarse exact: 60 real ticks later, a second grant

        var bounded = new TokenBucketState(1, 1, 100, 0);
        Assert.True(bounded.TryConsumeBounded(0, 50, 1)); // real 40 in [0, 50]
        Assert.False(bounded.TryConsumeBounded(100, 150, 1));
        Assert.Equal(50, bounded.TryConsume(100, 1));     // exact path: refill counted from 50 (>= real 40) only
        Assert.Equal(0, bounded.TryConsume(150, 1));
    }

    [Fact]
    public void System_clock_token_bucket_still_grants_its_burst_and_then_refuses()
    {
        // Real clock, whichever path (coarse on Linux, precise elsewhere): a full bucket grants exactly its burst
        // when the refill over the test's duration is far below one token.
        using var limiter = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 50, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1) });
        for (var i = 0; i < 50; i++)
        {
            Assert.True(limiter.TryAcquire().IsGranted);
        }

        var refused = limiter.TryAcquire();
        Assert.False(refused.IsGranted);
        Assert.True(refused.RetryAfter > TimeSpan.FromMinutes(59));
    }
}
