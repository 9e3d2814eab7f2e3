using BotResilience.RateLimiting;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.RateLimiting;

/// <summary>Random schedules of acquisitions and clock moves against the exact sliding window.</summary>
public sealed class SlidingWindowPropertyTests
{
    private const long Window = 1_000; // TimeSpan ticks (ManualTimeProvider timestamps are TimeSpan ticks)

    public static Gen<Step[]> Steps(int maxPermits) =>
        (from advance in Gen.Elements(0L, 0L, 1L, 7L, 50L, 250L, 999L, 1_000L, 1_001L, 3_000L)
         from permits in Gen.Choose(1, maxPermits)
         from follow in Gen.Choose(0, 3)
         select new Step(advance, permits, follow == 0))
            .ArrayOf()
            .Select(a => a.Take(120).ToArray());

    [Fact]
    public void Never_more_than_PermitLimit_in_any_window_and_refuses_only_when_granting_would_exceed_it()
    {
        var cases = Gen.Choose(1, 6).SelectMany(limit => Steps(limit).Select(steps => (limit, steps)));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (limit, steps) = c;
            var time = new ManualTimeProvider();
            var origin = time.GetTimestamp();
            var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromTicks(Window) }, time);
            var granted = new List<(long At, int Permits)>();

            void Attempt(int permits, bool? mustBeGranted)
            {
                var now = time.GetTimestamp() - origin;
                var inWindow = granted.Where(g => g.At > now - Window).Sum(g => g.Permits);
                var decision = limiter.TryAcquire(permits);
                var allowed = inWindow + permits <= limit;
                Assert.Equal(allowed, decision.IsGranted);
                if (mustBeGranted is { } expected)
                {
                    Assert.Equal(expected, decision.IsGranted);
                }

                if (decision.IsGranted)
                {
                    Assert.Equal(TimeSpan.Zero, decision.RetryAfter);
                    granted.Add((now, permits));
                    return;
                }

                Assert.Equal(RateLimitOutcome.Throttled, decision.Outcome);
                Assert.Equal(ExpectedWait(granted, now, permits, limit), decision.RetryAfter.Ticks);
            }

            foreach (var step in steps)
            {
                time.Advance(TimeSpan.FromTicks(step.Advance));
                var before = limiter.TryAcquire(step.Permits);
                var now = time.GetTimestamp() - origin;
                var inWindow = granted.Where(g => g.At > now - Window).Sum(g => g.Permits);
                Assert.Equal(inWindow + step.Permits <= limit, before.IsGranted);
                if (before.IsGranted)
                {
                    granted.Add((now, step.Permits));
                }
                else
                {
                    Assert.Equal(ExpectedWait(granted, now, step.Permits, limit), before.RetryAfter.Ticks);
                    if (step.FollowRetryAfter)
                    {
                        // Waiting one tick less than RetryAfter is not enough; waiting exactly RetryAfter is.
                        time.Advance(before.RetryAfter - TimeSpan.FromTicks(1));
                        Attempt(step.Permits, mustBeGranted: false);
                        time.Advance(TimeSpan.FromTicks(1));
                        Attempt(step.Permits, mustBeGranted: true);
                    }
                }
            }

            // Exactness over all granted timestamps: any half-open interval of length Window ending at a grant.
            foreach (var g in granted)
            {
                Assert.True(granted.Where(o => o.At > g.At - Window && o.At <= g.At).Sum(o => o.Permits) <= limit);
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Greedy_caller_gets_exactly_PermitLimit_in_every_exact_second()
    {
        // The BCL's segmented window lets a greedy caller get twice the limit within one exact second.
        var time = new ManualTimeProvider();
        var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 20, Window = TimeSpan.FromSeconds(1) }, time);
        var grants = new List<long>();
        for (var i = 0; i < 10_000; i++)
        {
            if (limiter.TryAcquire().IsGranted)
            {
                grants.Add(time.GetTimestamp());
            }

            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        for (var i = 0; i < grants.Count; i++)
        {
            var inSecond = grants.Count(t => t > grants[i] - TimeSpan.TicksPerSecond && t <= grants[i]);
            Assert.True(inSecond <= 20, $"{inSecond} grants in the second ending at grant {i}");
        }

        Assert.InRange(grants.Count, 199, 201); // and it does not under-grant either: 20 per second over 10 s
    }

    /// <summary>Smallest w &gt; 0 such that, with no other grant, the request is allowed at now + w.</summary>
    private static long ExpectedWait(List<(long At, int Permits)> granted, long now, int permits, int limit)
    {
        var candidates = granted.Select(g => g.At + Window - now).Where(w => w > 0).Distinct().Order();
        foreach (var w in candidates)
        {
            var at = now + w;
            if (granted.Where(g => g.At > at - Window).Sum(g => g.Permits) + permits <= limit)
            {
                return w;
            }
        }

        throw new InvalidOperationException("no wait makes the request possible");
    }

    public sealed record Step(long Advance, int Permits, bool FollowRetryAfter);
}
