using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BotResilience.RateLimiting;

namespace BotResilience.Benchmarks.RateLimiting;

/// <summary>Two threads hammering one token bucket; reported per acquire.</summary>
[MemoryDiagnoser]
public class LimiterContentionBenchmarks
{
    private const int PerThread = 50_000;

    private TokenBucketRateLimiter _bcl = null!;
    private TokenBucketLimiter _ours = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bcl = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        });
        _ours = new TokenBucketLimiter(new TokenBucketLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            QueueLimit = 0,
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bcl.Dispose();
        _ours.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * PerThread)]
    public void Bcl_TokenBucket_TwoThreads() => Parallel.Invoke(BclLoop, BclLoop);

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void TokenBucket_TwoThreads() => Parallel.Invoke(OurLoop, OurLoop);

    private void BclLoop()
    {
        for (var i = 0; i < PerThread; i++)
        {
            _bcl.AttemptAcquire(1).Dispose();
        }
    }

    private void OurLoop()
    {
        for (var i = 0; i < PerThread; i++)
        {
            _ours.TryAcquire(1);
        }
    }
}
