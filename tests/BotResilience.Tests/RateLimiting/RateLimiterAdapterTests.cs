using System.Threading.RateLimiting;
using BotResilience.RateLimiting;
using BotResilience.Testing;

namespace BotResilience.Tests.RateLimiting;

/// <summary>Contract of the System.Threading.RateLimiting adapters.</summary>
public sealed class RateLimiterAdapterTests
{
    private static TokenBucketLimiterOptions OnePerSecond(int queueLimit = 10) =>
        new() { TokenLimit = 2, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = queueLimit };

    [Fact]
    public void AttemptAcquire_grants_then_fails_with_exact_RetryAfter_metadata()
    {
        var time = new ManualTimeProvider();
        using RateLimiter limiter = new TokenBucketLimiter(OnePerSecond(), time).AsRateLimiter();
        using (var lease = limiter.AttemptAcquire(2))
        {
            Assert.True(lease.IsAcquired);
            Assert.Empty(lease.MetadataNames);
        }

        time.Advance(TimeSpan.FromMilliseconds(250));
        using var failed = limiter.AttemptAcquire(1);
        Assert.False(failed.IsAcquired);
        Assert.True(failed.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(750), retryAfter);
        Assert.Contains(MetadataName.RetryAfter.Name, failed.MetadataNames);

        using var probe = limiter.AttemptAcquire(0);
        Assert.False(probe.IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(750));
        using (var probeOk = limiter.AttemptAcquire(0))
        {
            Assert.True(probeOk.IsAcquired);
        }

        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits); // the probe consumed nothing
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(3));
        var stats = limiter.GetStatistics()!;
        Assert.Equal(2, stats.TotalSuccessfulLeases);
        Assert.Equal(2, stats.TotalFailedLeases);
    }

    [Fact]
    public void Granted_leases_are_shared_instances()
    {
        using RateLimiter limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromSeconds(1) }, new ManualTimeProvider()).AsRateLimiter();
        using var first = limiter.AttemptAcquire(1);
        using var second = limiter.AttemptAcquire(1);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task AcquireAsync_queues_FIFO_and_is_woken_by_the_clock()
    {
        var time = new ManualTimeProvider();
        using RateLimiter limiter = new TokenBucketLimiter(OnePerSecond(), time).AsRateLimiter();
        using (await limiter.AcquireAsync(2))
        {
        }

        var first = limiter.AcquireAsync(1);
        var second = limiter.AcquireAsync(1);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentQueuedCount);
        Assert.Null(limiter.IdleDuration);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await first.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).IsAcquired); // continuations run on the pool
        Assert.False(second.IsCompleted);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentQueuedCount);
        time.Advance(TimeSpan.FromSeconds(1));
        using var lease = await second.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(lease.IsAcquired);

        time.Advance(TimeSpan.FromSeconds(5)); // full again after 2 s, so idle for 3 s
        Assert.Equal(TimeSpan.FromSeconds(3), limiter.IdleDuration);
    }

    [Fact]
    public async Task AcquireAsync_fails_at_once_when_the_queue_is_full_and_honours_cancellation()
    {
        var time = new ManualTimeProvider();
        using RateLimiter limiter = new TokenBucketLimiter(OnePerSecond(queueLimit: 1), time).AsRateLimiter();
        limiter.AttemptAcquire(2).Dispose();
        using var cts = new CancellationTokenSource();
        var queued = limiter.AcquireAsync(1, cts.Token);
        var full = await limiter.AcquireAsync(1);
        Assert.False(full.IsAcquired);
        Assert.True(full.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queued);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }

    [Fact]
    public async Task Dispose_releases_waiters_and_disposes_the_limiter()
    {
        var time = new ManualTimeProvider();
        var inner = new TokenBucketLimiter(OnePerSecond(), time);
        var limiter = inner.AsRateLimiter();
        limiter.AttemptAcquire(2).Dispose();
        var waiting = limiter.AcquireAsync(1);
        await limiter.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting);
        Assert.Throws<ObjectDisposedException>(() => inner.TryAcquire());
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public async Task Partitioned_adapter_limits_per_key_with_RetryAfter_and_queues()
    {
        var time = new ManualTimeProvider();
        var keyed = new KeyedRateLimiter<long>(OnePerSecond(), time);
        using var limiter = keyed.AsPartitionedRateLimiter();
        Assert.True(limiter.AttemptAcquire(1L, 2).IsAcquired);
        Assert.True(limiter.AttemptAcquire(2L, 2).IsAcquired);
        using var failed = limiter.AttemptAcquire(1L, 1);
        Assert.False(failed.IsAcquired);
        Assert.True(failed.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.Equal(0, limiter.GetStatistics(1L)!.CurrentAvailablePermits);
        Assert.Equal(2, limiter.GetStatistics(3L)!.CurrentAvailablePermits); // unknown key: a fresh bucket

        var waiting = limiter.AcquireAsync(1L, 1);
        Assert.Equal(1, limiter.GetStatistics(1L)!.CurrentQueuedCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await waiting).IsAcquired);

        var released = limiter.AcquireAsync(2L, 2);
        limiter.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await released);
        Assert.Throws<ObjectDisposedException>(() => keyed.TryAcquire(9L));
    }
}
