using System.Diagnostics;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BotResilience.RateLimiting;

namespace BotResilience.Benchmarks.RateLimiting;

/// <summary>
/// One uncontended acquire, ours vs the BCL, side by side. Limits are high enough that every call succeeds.
/// Run: dotnet run -c Release --project benchmarks/BotResilience.Benchmarks -- --filter '*LimiterAcquireBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LimiterAcquireBenchmarks
{
    private TokenBucketRateLimiter _bclTokenBucket = null!;
    private SlidingWindowRateLimiter _bclSlidingWindow = null!;
    private TokenBucketLimiter _tokenBucket = null!;
    private SlidingWindowLimiter _slidingWindow = null!;
    private RateLimiter _tokenBucketAdapter = null!;
    private CompositeLimiter _composite = null!;
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        _bclTokenBucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        });
        _bclSlidingWindow = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = int.MaxValue,
            Window = TimeSpan.FromMilliseconds(10),
            SegmentsPerWindow = 10,
            AutoReplenishment = true,
            QueueLimit = 0,
        });
        _tokenBucket = new TokenBucketLimiter(new TokenBucketLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            QueueLimit = 0,
        });

        // The exact log keeps one timestamp per permit: 100 000 permits per millisecond is far above what one thread reaches.
        _slidingWindow = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 100_000, Window = TimeSpan.FromMilliseconds(1), QueueLimit = 0 });
        _tokenBucketAdapter = new TokenBucketLimiter(new TokenBucketLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            QueueLimit = 0,
        }).AsRateLimiter();
        _composite = new CompositeLimiter(
        [
            new TokenBucketLimiterOptions { TokenLimit = int.MaxValue, TokensPerPeriod = int.MaxValue, ReplenishmentPeriod = TimeSpan.FromMilliseconds(1) },
            new SlidingWindowLimiterOptions { PermitLimit = 100_000, Window = TimeSpan.FromMilliseconds(1) },
        ]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bclTokenBucket.Dispose();
        _bclSlidingWindow.Dispose();
        _tokenBucket.Dispose();
        _slidingWindow.Dispose();
        _tokenBucketAdapter.Dispose();
        _composite.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("TokenBucket")]
    public bool Bcl_TokenBucket_AttemptAcquire()
    {
        using var lease = _bclTokenBucket.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark, BenchmarkCategory("TokenBucket")]
    public bool TokenBucket_TryAcquire() => _tokenBucket.TryAcquire(1).IsGranted;

    [Benchmark, BenchmarkCategory("TokenBucket")]
    public bool TokenBucket_AsRateLimiter_AttemptAcquire()
    {
        using var lease = _tokenBucketAdapter.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark, BenchmarkCategory("TokenBucket")]
    public bool Composite_TryAcquire() => _composite.TryAcquire(1).IsGranted;

    [Benchmark(Baseline = true), BenchmarkCategory("SlidingWindow")]
    public bool Bcl_SlidingWindow_AttemptAcquire()
    {
        using var lease = _bclSlidingWindow.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark, BenchmarkCategory("SlidingWindow")]
    public bool SlidingWindow_TryAcquire() => _slidingWindow.TryAcquire(1).IsGranted;

    [Benchmark(Baseline = true), BenchmarkCategory("Async")]
    public async ValueTask<bool> Bcl_TokenBucket_AcquireAsync()
    {
        using var lease = await _bclTokenBucket.AcquireAsync(1);
        return lease.IsAcquired;
    }

    [Benchmark, BenchmarkCategory("Async")]
    public async ValueTask<bool> TokenBucket_AcquireAsync() => (await _tokenBucket.AcquireAsync(1)).IsGranted;

    [Benchmark, BenchmarkCategory("Async")]
    public async ValueTask<bool> TokenBucket_TryAcquireAsync() => (await _tokenBucket.TryAcquireAsync(1)).IsGranted;

    [Benchmark, BenchmarkCategory("Async")]
    public async ValueTask<bool> SlidingWindow_AcquireAsync() => (await _slidingWindow.AcquireAsync(1)).IsGranted;

    [Benchmark(Baseline = true), BenchmarkCategory("Floor")]
    public int Floor_InterlockedIncrement() => Interlocked.Increment(ref _counter);

    [Benchmark, BenchmarkCategory("Floor")]
    public long Floor_TimeProviderSystem_GetTimestamp() => TimeProvider.System.GetTimestamp();

    [Benchmark, BenchmarkCategory("Floor")]
    public long Floor_Stopwatch_GetTimestamp() => Stopwatch.GetTimestamp();
}
