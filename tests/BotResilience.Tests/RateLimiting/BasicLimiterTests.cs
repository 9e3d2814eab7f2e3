using BotResilience.RateLimiting;
using BotResilience.Testing;

namespace BotResilience.Tests.RateLimiting;

public sealed class BasicLimiterTests
{
    [Fact]
    public void Consumer_smoke_program_behaves_as_documented()
    {
        // Same code as scripts/consumer-smoke.sh (real clock).
        var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) });
        var first = limiter.TryAcquire();
        var second = limiter.TryAcquire();
        var third = limiter.TryAcquire();
        Assert.True(first.IsGranted);
        Assert.True(second.IsGranted);
        Assert.False(third.IsGranted);
        Assert.True(third.RetryAfter > TimeSpan.Zero);

        // On the system clock the coarse fast path logs a grant up to the coarse clock's lag bound late (never early),
        // so RetryAfter may exceed the window by less than that bound; it is never short.
        var lagBound = CoarseClock.Enabled ? TimeSpan.FromTicks(CoarseClock.LagTicks * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency) : TimeSpan.Zero;
        Assert.True(third.RetryAfter <= TimeSpan.FromSeconds(1) + lagBound);
    }

    [Fact]
    public void Sliding_window_retry_after_is_exact()
    {
        var time = new ManualTimeProvider();
        var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) }, time);
        Assert.True(limiter.TryAcquire().IsGranted);
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limiter.TryAcquire().IsGranted);
        var refused = limiter.TryAcquire();
        Assert.Equal(RateLimitOutcome.Throttled, refused.Outcome);
        Assert.Equal(TimeSpan.FromMilliseconds(700), refused.RetryAfter);
        time.Advance(refused.RetryAfter - TimeSpan.FromTicks(1));
        Assert.False(limiter.TryAcquire().IsGranted);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(limiter.TryAcquire().IsGranted);
    }

    [Fact]
    public void Token_bucket_refills_continuously()
    {
        var time = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 3, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1) }, time);
        Assert.True(limiter.TryAcquire(3).IsGranted);
        var refused = limiter.TryAcquire(2);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire().IsGranted);
    }

    [Fact]
    public async Task Waiter_is_woken_by_advance()
    {
        var time = new ManualTimeProvider();
        using var limiter = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1) }, time);
        Assert.True(limiter.TryAcquire().IsGranted);
        var pending = limiter.AcquireAsync();
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, time.ActiveTimerCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(pending.IsCompleted);
        Assert.True((await pending).IsGranted);
        Assert.Equal(0, time.ActiveTimerCount);
    }
}
