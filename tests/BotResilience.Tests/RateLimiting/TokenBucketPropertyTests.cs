using BotResilience.RateLimiting;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.RateLimiting;

/// <summary>Random schedules of acquisitions and clock moves against the token bucket.</summary>
public sealed class TokenBucketPropertyTests
{
    [Fact]
    public void Grants_at_most_capacity_plus_rate_times_d_and_refuses_only_when_tokens_are_missing()
    {
        var cases =
            from capacity in Gen.Choose(1, 6)
            from perPeriod in Gen.Choose(1, 4)
            from period in Gen.Elements(1L, 3L, 100L, 997L, 1_000L)
            from steps in SlidingWindowPropertyTests.Steps(capacity)
            select (capacity, perPeriod, period, steps);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (capacity, perPeriod, period, steps) = c;
            var time = new ManualTimeProvider();
            var origin = time.GetTimestamp();
            var limiter = new TokenBucketLimiter(
                new TokenBucketLimiterOptions { TokenLimit = capacity, TokensPerPeriod = perPeriod, ReplenishmentPeriod = TimeSpan.FromTicks(period) },
                time);
            var granted = new List<(long At, int Permits)>();

            // Independent model: the level (in 1/period tokens) is the minimum, over every instant s at which the
            // bucket may last have been full (the start or any grant), of capacity + refill since s - grants since s.
            long LevelUnits(long now)
            {
                var best = (capacity * period) + (perPeriod * now) - (granted.Sum(g => g.Permits) * period);
                best = Math.Min(best, capacity * period);
                foreach (var start in granted.Select(g => g.At).Distinct())
                {
                    var since = granted.Where(g => g.At >= start).Sum(g => g.Permits);
                    best = Math.Min(best, (capacity * period) + (perPeriod * (now - start)) - (since * period));
                }

                return best;
            }

            void Attempt(int permits, bool? mustBeGranted)
            {
                var now = time.GetTimestamp() - origin;
                var level = LevelUnits(now);
                var decision = limiter.TryAcquire(permits);
                Assert.Equal(level >= permits * period, decision.IsGranted);
                if (mustBeGranted is { } expected)
                {
                    Assert.Equal(expected, decision.IsGranted);
                }

                if (decision.IsGranted)
                {
                    granted.Add((now, permits));
                }
                else
                {
                    var missing = (permits * period) - level;
                    Assert.Equal((missing + perPeriod - 1) / perPeriod, decision.RetryAfter.Ticks);
                }
            }

            foreach (var step in steps)
            {
                time.Advance(TimeSpan.FromTicks(step.Advance));
                var now = time.GetTimestamp() - origin;
                var level = LevelUnits(now);
                var decision = limiter.TryAcquire(step.Permits);
                Assert.Equal(level >= step.Permits * period, decision.IsGranted);
                if (decision.IsGranted)
                {
                    granted.Add((now, step.Permits));
                    continue;
                }

                var missing = (step.Permits * period) - level;
                Assert.Equal((missing + perPeriod - 1) / perPeriod, decision.RetryAfter.Ticks);
                if (step.FollowRetryAfter)
                {
                    time.Advance(decision.RetryAfter - TimeSpan.FromTicks(1));
                    Attempt(step.Permits, mustBeGranted: false);
                    time.Advance(TimeSpan.FromTicks(1));
                    Attempt(step.Permits, mustBeGranted: true);
                }
            }

            // Over any interval [a, b] between grants: permits <= capacity + rate * (b - a).
            for (var i = 0; i < granted.Count; i++)
            {
                long sum = 0;
                for (var j = i; j < granted.Count; j++)
                {
                    sum += granted[j].Permits;
                    Assert.True((sum - capacity) * period <= perPeriod * (granted[j].At - granted[i].At));
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Large_configurations_do_not_overflow()
    {
        var time = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(
            new TokenBucketLimiterOptions { TokenLimit = int.MaxValue, TokensPerPeriod = int.MaxValue, ReplenishmentPeriod = TimeSpan.FromDays(3650) },
            time);
        Assert.True(limiter.TryAcquire(int.MaxValue).IsGranted);
        var refused = limiter.TryAcquire(1);
        Assert.False(refused.IsGranted);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
        time.Advance(TimeSpan.FromDays(36500));
        Assert.True(limiter.TryAcquire(int.MaxValue).IsGranted);
    }
}
