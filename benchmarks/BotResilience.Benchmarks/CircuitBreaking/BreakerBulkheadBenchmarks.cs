using BenchmarkDotNet.Attributes;
using BotResilience.CircuitBreaking;
using BotResilience.Concurrency;

namespace BotResilience.Benchmarks.CircuitBreaking;

/// <summary>Success paths of the circuit breaker and the priority bulkhead: must be 0 B.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("CircuitBreaking")]
public class BreakerBulkheadBenchmarks
{
    private readonly CircuitBreaker _consecutive = new(new CircuitBreakerOptions { Name = "bench-consecutive" });
    private readonly CircuitBreaker _ratio = new(new CircuitBreakerOptions { Name = "bench-ratio", FailureRatio = 0.5 });
    private readonly PriorityBulkhead _bulkhead = new(new PriorityBulkheadOptions { Name = "bench", MaxConcurrency = 3 });
    private readonly SemaphoreSlim _semaphore = new(3, 3);

    [Benchmark(Baseline = true, Description = "SemaphoreSlim Wait(0)+Release (reference)")]
    public bool SemaphoreSlimWaitRelease()
    {
        var entered = _semaphore.Wait(0);
        _semaphore.Release();
        return entered;
    }

    [Benchmark(Description = "CircuitBreaker TryEnter+RecordSuccess (consecutive)")]
    public bool BreakerConsecutive()
    {
        var admitted = _consecutive.TryEnter(out _);
        _consecutive.RecordSuccess();
        return admitted;
    }

    [Benchmark(Description = "CircuitBreaker TryEnter+RecordSuccess (ratio)")]
    public bool BreakerRatio()
    {
        var admitted = _ratio.TryEnter(out _);
        _ratio.RecordSuccess();
        return admitted;
    }

    [Benchmark(Description = "PriorityBulkhead TryAcquire+Dispose")]
    public bool BulkheadTryAcquire()
    {
        var acquired = _bulkhead.TryAcquire(0, out var lease);
        lease.Dispose();
        return acquired;
    }

    [Benchmark(Description = "PriorityBulkhead AcquireAsync+Dispose (free slot)")]
    public async ValueTask<bool> BulkheadAcquireAsync()
    {
        var lease = await _bulkhead.AcquireAsync();
        var active = lease.IsActive;
        lease.Dispose();
        return active;
    }
}
