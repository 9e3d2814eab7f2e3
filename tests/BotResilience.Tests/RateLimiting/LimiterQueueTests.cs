using BotResilience.RateLimiting;
using BotResilience.Testing;

namespace BotResilience.Tests.RateLimiting;

/// <summary>AcquireAsync: FIFO fairness, queue limit, cancellation, timers, dispose.</summary>
public sealed class LimiterQueueTests
{
    private static TokenBucketLimiter OnePerSecond(ManualTimeProvider time, int capacity = 1, int queueLimit = 1000) =>
        new(new TokenBucketLimiterOptions { TokenLimit = capacity, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = queueLimit }, time);

    [Fact]
    public async Task Waiters_are_served_first_in_first_out_and_newcomers_do_not_jump_ahead()
    {
        var time = new ManualTimeProvider();
        using var limiter = OnePerSecond(time);
        Assert.True(limiter.TryAcquire().IsGranted);
        var a = limiter.AcquireAsync();
        var b = limiter.AcquireAsync();
        var c = limiter.AcquireAsync();
        Assert.Equal(3, limiter.QueuedPermits);
        Assert.Equal(1, time.ActiveTimerCount); // one timer per limiter, not per waiter

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(a.IsCompletedSuccessfully);
        Assert.False(b.IsCompleted);
        var jumper = limiter.TryAcquire();
        Assert.False(jumper.IsGranted);
        Assert.Equal(TimeSpan.FromSeconds(1), jumper.RetryAfter);

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(b.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(b.IsCompletedSuccessfully);
        Assert.False(c.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await c).IsGranted);
        Assert.Equal(0, time.ActiveTimerCount); // no timer when idle
        Assert.Equal(0, limiter.QueuedPermits);
    }

    [Fact]
    public void A_large_request_at_the_head_is_not_overtaken_by_a_small_one()
    {
        var time = new ManualTimeProvider();
        using var limiter = OnePerSecond(time, capacity: 2);
        Assert.True(limiter.TryAcquire(2).IsGranted);
        var big = limiter.AcquireAsync(2);
        var small = limiter.AcquireAsync(1);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(big.IsCompleted);
        Assert.False(small.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(big.IsCompletedSuccessfully);
        Assert.False(small.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(small.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Queue_limit_counts_permits_and_refuses_at_once_when_full()
    {
        var time = new ManualTimeProvider();
        using var limiter = OnePerSecond(time, capacity: 3, queueLimit: 3);
        Assert.True(limiter.TryAcquire(3).IsGranted);
        var first = limiter.AcquireAsync(2);
        var second = limiter.AcquireAsync(1);
        var full = limiter.AcquireAsync(1);
        Assert.True(full.IsCompletedSuccessfully);
        Assert.Equal(RateLimitOutcome.QueueFull, (await full).Outcome);
        Assert.True((await full).RetryAfter > TimeSpan.Zero);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        using var noQueue = OnePerSecond(time, queueLimit: 0);
        Assert.True((await noQueue.AcquireAsync()).IsGranted);
        var refused = noQueue.AcquireAsync();
        Assert.True(refused.IsCompletedSuccessfully);
        var refusal = await refused;
        Assert.Equal(RateLimitOutcome.QueueFull, refusal.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(1), refusal.RetryAfter);
        Assert.Equal(0, time.ActiveTimerCount - 1); // only the first limiter's timer
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_the_queue_consumes_nothing_and_unblocks_the_next()
    {
        var time = new ManualTimeProvider();
        using var limiter = OnePerSecond(time, capacity: 2);
        Assert.True(limiter.TryAcquire(2).IsGranted);
        using var cts = new CancellationTokenSource();
        var big = limiter.AcquireAsync(2, cts.Token);
        var small = limiter.AcquireAsync(1);
        time.Advance(TimeSpan.FromSeconds(1)); // one token: not enough for the head
        Assert.False(small.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await big);
        Assert.True(small.IsCompletedSuccessfully); // the head left; the token is there
        Assert.Equal(0, limiter.QueuedPermits);
        Assert.Equal(0, time.ActiveTimerCount);

        using var already = new CancellationTokenSource();
        await already.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await limiter.AcquireAsync(1, already.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await limiter.TryAcquireAsync(1, already.Token));
    }

    [Fact]
    public async Task Dispose_releases_waiters_with_ObjectDisposedException()
    {
        var time = new ManualTimeProvider();
        var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) }, time);
        Assert.True(limiter.TryAcquire().IsGranted);
        var waiting = limiter.AcquireAsync();
        limiter.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting);
        Assert.Throws<ObjectDisposedException>(() => limiter.TryAcquire());
        Assert.Equal(0, time.ActiveTimerCount);
        limiter.Dispose(); // idempotent
    }

    [Fact]
    public async Task TryAcquireAsync_and_immediate_AcquireAsync_complete_synchronously()
    {
        var time = new ManualTimeProvider();
        using var limiter = OnePerSecond(time, capacity: 2);
        var tried = limiter.TryAcquireAsync();
        Assert.True(tried.IsCompletedSuccessfully);
        Assert.True((await tried).IsGranted);
        var acquired = limiter.AcquireAsync();
        Assert.True(acquired.IsCompletedSuccessfully);
        var refused = limiter.TryAcquireAsync();
        Assert.True(refused.IsCompletedSuccessfully);
        Assert.Equal(RateLimitOutcome.Throttled, (await refused).Outcome);
    }

    [Fact]
    public async Task Real_clock_waiter_is_granted_not_before_its_retry_after()
    {
        using var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromMilliseconds(100) });
        Assert.True(limiter.TryAcquire().IsGranted);
        var retryAfter = limiter.TryAcquire().RetryAfter;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var decision = await limiter.AcquireAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(decision.IsGranted);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= retryAfter - TimeSpan.FromMilliseconds(1));
    }
}
