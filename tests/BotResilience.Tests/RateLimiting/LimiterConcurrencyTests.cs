using BotResilience.RateLimiting;
using BotResilience.Testing;

namespace BotResilience.Tests.RateLimiting;

/// <summary>Many threads hammering one limiter never exceed the limit (and never lose permits).</summary>
public sealed class LimiterConcurrencyTests
{
    private const int Threads = 4;

    [Fact]
    public void Sliding_window_under_contention_grants_exactly_what_the_log_allows()
    {
        var time = new ManualTimeProvider();
        IRateLimiter limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 500, Window = TimeSpan.FromTicks(1_000) }, time);
        var grants = new List<(long At, int Count)>();
        long[] advances = [0, 300, 300, 399, 1, 1_000, 250, 5_000, 999];
        foreach (var advance in advances)
        {
            time.Advance(TimeSpan.FromTicks(advance));
            var now = time.GetTimestamp();
            var granted = Hammer(limiter, attemptsPerThread: 400);

            // Time is frozen during the round, so the exact answer is known: what the window still has room for.
            var room = 500 - grants.Where(g => g.At > now - 1_000).Sum(g => g.Count);
            Assert.Equal(room, granted);
            grants.Add((now, granted));
        }

        foreach (var g in grants)
        {
            Assert.True(grants.Where(o => o.At > g.At - 1_000 && o.At <= g.At).Sum(o => o.Count) <= 500);
        }
    }

    [Fact]
    public void Token_bucket_and_composite_under_contention_never_exceed_the_limit()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 300, TokensPerPeriod = 100, ReplenishmentPeriod = TimeSpan.FromTicks(1_000) }, time);
        var composite = new CompositeLimiter(
            [
                new TokenBucketLimiterOptions { TokenLimit = 300, TokensPerPeriod = 100, ReplenishmentPeriod = TimeSpan.FromTicks(1_000) },
                new SlidingWindowLimiterOptions { PermitLimit = 200, Window = TimeSpan.FromTicks(2_000) },
            ],
            time);
        var keyed = new KeyedRateLimiter<int>(new SlidingWindowLimiterOptions { PermitLimit = 50, Window = TimeSpan.FromTicks(1_000) }, time);

        Assert.Equal(300, Hammer(bucket, 200));
        Assert.Equal(200, Hammer(composite, 200));
        Assert.Equal(50, HammerKeyed(keyed, key: 7, attemptsPerThread: 100));
        time.Advance(TimeSpan.FromTicks(1_000));
        Assert.Equal(100, Hammer(bucket, 200));
        Assert.Equal(0, Hammer(composite, 200));    // the 2 000-tick window is still full
        Assert.Equal(50, HammerKeyed(keyed, key: 7, attemptsPerThread: 100));
        time.Advance(TimeSpan.FromTicks(1_000));
        Assert.Equal(200, Hammer(composite, 200));   // window empty again; the bucket has 300
    }

    [Fact]
    public async Task Concurrent_waiters_with_a_moving_clock_are_all_served_within_the_limit()
    {
        var time = new ManualTimeProvider();
        using var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromTicks(100), QueueLimit = 10_000 }, time);
        var granted = new System.Collections.Concurrent.ConcurrentBag<long>();
        var workers = Enumerable.Range(0, Threads).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var decision = await limiter.AcquireAsync();
                Assert.True(decision.IsGranted);
                granted.Add(time.GetTimestamp());
            }
        })).ToArray();
        var clock = Task.Run(() =>
        {
            while (!workers.All(w => w.IsCompleted))
            {
                time.Advance(TimeSpan.FromTicks(1));
                Thread.Yield();
            }
        });
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        await clock.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Threads * 50, granted.Count);
        Assert.Equal(0, time.ActiveTimerCount);
    }

    private static int Hammer(IRateLimiter limiter, int attemptsPerThread)
    {
        var total = 0;
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            var mine = 0;
            for (var i = 0; i < attemptsPerThread; i++)
            {
                if (limiter.TryAcquire().IsGranted)
                {
                    mine++;
                }
            }

            Interlocked.Add(ref total, mine);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return total;
    }

    private static int HammerKeyed(KeyedRateLimiter<int> limiter, int key, int attemptsPerThread)
    {
        var total = 0;
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var mine = 0;
            for (var i = 0; i < attemptsPerThread; i++)
            {
                if (limiter.TryAcquire(key).IsGranted)
                {
                    mine++;
                }

                limiter.TryAcquire(1_000 + (t * attemptsPerThread) + i); // churn other keys through the sweep
            }

            Interlocked.Add(ref total, mine);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return total;
    }
}
