using BotResilience.RateLimiting;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.RateLimiting;

public sealed class CompositeAndKeyedPropertyTests
{
    private static readonly SlidingWindowLimiterOptions PerWindow = new() { PermitLimit = 4, Window = TimeSpan.FromTicks(1_000) };
    private static readonly TokenBucketLimiterOptions Bucket = new() { TokenLimit = 3, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromTicks(300) };

    [Fact]
    public void Composite_is_all_or_nothing_and_waits_for_the_slowest_part()
    {
        Prop.ForAll(SlidingWindowPropertyTests.Steps(3).ToArbitrary(), steps =>
        {
            var time = new ManualTimeProvider();
            var composite = new CompositeLimiter([PerWindow, Bucket], time);

            // Reference parts fed only with what the composite granted: if the composite ever consumed from one
            // part while refusing, the references would diverge from it.
            var window = new SlidingWindowLimiter(PerWindow, time);
            var bucket = new TokenBucketLimiter(Bucket, time);
            foreach (var step in steps)
            {
                time.Advance(TimeSpan.FromTicks(step.Advance));
                var now = time.GetTimestamp();
                var w = ((ICoreBackedLimiter)window).Core.Probe(now, step.Permits);
                var b = ((ICoreBackedLimiter)bucket).Core.Probe(now, step.Permits);
                var decision = composite.TryAcquire(step.Permits);
                Assert.Equal(w.IsGranted && b.IsGranted, decision.IsGranted);
                if (decision.IsGranted)
                {
                    Assert.True(window.TryAcquire(step.Permits).IsGranted);
                    Assert.True(bucket.TryAcquire(step.Permits).IsGranted);
                }
                else
                {
                    Assert.Equal(TimeSpan.FromTicks(Math.Max(w.RetryAfter.Ticks, b.RetryAfter.Ticks)), decision.RetryAfter);
                    if (step.FollowRetryAfter)
                    {
                        time.Advance(decision.RetryAfter - TimeSpan.FromTicks(1));
                        Assert.False(composite.TryAcquire(step.Permits).IsGranted);
                        time.Advance(TimeSpan.FromTicks(1));
                        Assert.True(composite.TryAcquire(step.Permits).IsGranted);
                        Assert.True(window.TryAcquire(step.Permits).IsGranted);
                        Assert.True(bucket.TryAcquire(step.Permits).IsGranted);
                    }
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Keyed_limits_each_key_independently_and_forgets_idle_keys()
    {
        var schedule =
            (from key in Gen.Choose(0, 7)
             from advance in Gen.Elements(0L, 0L, 10L, 300L, 999L, 2_000L)
             from permits in Gen.Choose(1, 3)
             select (key, advance, permits))
            .ArrayOf();
        Prop.ForAll(schedule.ToArbitrary(), steps =>
        {
            var time = new ManualTimeProvider();
            var keyed = new KeyedRateLimiter<int>([PerWindow, Bucket], time);
            var references = new Dictionary<int, CompositeLimiter>();
            foreach (var (key, advance, permits) in steps)
            {
                time.Advance(TimeSpan.FromTicks(advance));
                if (!references.TryGetValue(key, out var reference))
                {
                    references[key] = reference = new CompositeLimiter([PerWindow, Bucket], time);
                }

                var expected = reference.TryAcquire(permits);
                Assert.Equal(expected, keyed.TryAcquire(key, permits));
                Assert.InRange(keyed.TrackedKeyCount, 0, references.Count);
            }

            // Once every key is idle (window elapsed, bucket refilled), no state is held.
            time.Advance(TimeSpan.FromTicks(10_000));
            Assert.Equal(0, keyed.TrackedKeyCount);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Keyed_memory_follows_active_keys_through_the_amortised_sweep()
    {
        var time = new ManualTimeProvider();
        var keyed = new KeyedRateLimiter<long>(new TokenBucketLimiterOptions { TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromTicks(10) }, time);
        for (long i = 0; i < 100_000; i++)
        {
            Assert.True(keyed.TryAcquire(i).IsGranted);
            time.Advance(TimeSpan.FromTicks(1)); // each key is idle again 10 ticks after its acquisition
        }

        // Only the sweep ran (TrackedKeyCount is read once, at the end): a handful of keys are active at any time.
        var retained = typeof(KeyedRateLimiter<long>).GetField("_sweepCount", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(keyed);
        Assert.InRange((int)retained!, 0, 64);
        Assert.InRange(keyed.TrackedKeyCount, 0, 10);
    }

    [Fact]
    public void Keyed_waiters_are_per_key_and_woken_by_the_clock()
    {
        var time = new ManualTimeProvider();
        using var keyed = new KeyedRateLimiter<string>(new TokenBucketLimiterOptions { TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1) }, time, StringComparer.OrdinalIgnoreCase);
        Assert.True(keyed.TryAcquire("chat").IsGranted);
        Assert.False(keyed.TryAcquire("CHAT").IsGranted);
        Assert.True(keyed.TryAcquire("other").IsGranted);
        var pending = keyed.AcquireAsync("chat");
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, time.ActiveTimerCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(0, time.ActiveTimerCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, keyed.TrackedKeyCount);
    }
}
