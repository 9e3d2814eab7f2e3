using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BotResilience.RateLimiting;

namespace BotResilience.Benchmarks.RateLimiting;

/// <summary>
/// Keyed acquire over 100 000 keys (one acquire per key per pass, reported per acquire), ours vs the BCL's
/// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> with token-bucket partitions.
/// Buckets are large and refill slowly so no key goes idle during the run (no re-creation on either side).
/// </summary>
[MemoryDiagnoser]
public class KeyedLimiterBenchmarks
{
    private const int Keys = 100_000;

    private PartitionedRateLimiter<long> _bcl = null!;
    private KeyedRateLimiter<long> _keyed = null!;
    private PartitionedRateLimiter<long> _keyedAdapter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bcl = PartitionedRateLimiter.Create<long, long>(static chatId => RateLimitPartition.GetTokenBucketLimiter(
            chatId,
            static _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = 100_000_000,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromHours(1),
                AutoReplenishment = false,
                QueueLimit = 0,
            }));
        var options = new TokenBucketLimiterOptions { TokenLimit = 100_000_000, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1), QueueLimit = 0 };
        _keyed = new KeyedRateLimiter<long>(options);
        _keyedAdapter = new KeyedRateLimiter<long>(options).AsPartitionedRateLimiter();
        for (long key = 0; key < Keys; key++)
        {
            _bcl.AttemptAcquire(key).Dispose();
            _keyed.TryAcquire(key);
            _keyedAdapter.AttemptAcquire(key).Dispose();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bcl.Dispose();
        _keyed.Dispose();
        _keyedAdapter.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Keys)]
    public int Bcl_Partitioned_AttemptAcquire()
    {
        var granted = 0;
        for (long key = 0; key < Keys; key++)
        {
            using var lease = _bcl.AttemptAcquire(key);
            granted += lease.IsAcquired ? 1 : 0;
        }

        return granted;
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public int Keyed_TryAcquire()
    {
        var granted = 0;
        for (long key = 0; key < Keys; key++)
        {
            granted += _keyed.TryAcquire(key).IsGranted ? 1 : 0;
        }

        return granted;
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public int Keyed_AsPartitionedRateLimiter_AttemptAcquire()
    {
        var granted = 0;
        for (long key = 0; key < Keys; key++)
        {
            using var lease = _keyedAdapter.AttemptAcquire(key);
            granted += lease.IsAcquired ? 1 : 0;
        }

        return granted;
    }
}
