using BenchmarkDotNet.Attributes;
using BotResilience.CircuitBreaking;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using Polly;
using OurBuilder = BotResilience.Pipelines.ResiliencePipelineBuilder;
using OurPipeline = BotResilience.Pipelines.ResiliencePipeline;
using PollyBreakerOptions = Polly.CircuitBreaker.CircuitBreakerStrategyOptions;
using PollyBuilder = Polly.ResiliencePipelineBuilder;
using PollyPipeline = Polly.ResiliencePipeline;
using PollyRetryOptions = Polly.Retry.RetryStrategyOptions;

namespace BotResilience.Benchmarks.Pipelines;

/// <summary>
/// Success path of a timeout + retry + circuit breaker pipeline: BotResilience vs Polly.Core 8.9.1 (baseline),
/// plus BotResilience with a token-bucket limiter in front.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Pipelines")]
public class PipelineBenchmarks
{
    private PollyPipeline _polly = null!;
    private OurPipeline _ours = null!;
    private OurPipeline _oursWithLimiter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _polly = new PollyBuilder()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new PollyRetryOptions())
            .AddCircuitBreaker(new PollyBreakerOptions())
            .Build();
        _ours = new OurBuilder()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryOptions())
            .AddCircuitBreaker(new CircuitBreaker(new CircuitBreakerOptions()))
            .Build();
        var limiter = new TokenBucketLimiter(new TokenBucketLimiterOptions
        {
            TokenLimit = 1_000_000_000,
            TokensPerPeriod = 1_000_000_000,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
        });
        _oursWithLimiter = new OurBuilder()
            .AddRateLimiter(limiter)
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryOptions())
            .AddCircuitBreaker(new CircuitBreaker(new CircuitBreakerOptions()))
            .Build();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<int> Polly_TimeoutRetryBreaker() =>
        _polly.ExecuteAsync(static (state, _) => new ValueTask<int>(state), 42, CancellationToken.None);

    [Benchmark]
    public ValueTask<int> BotResilience_TimeoutRetryBreaker() =>
        _ours.ExecuteAsync(static (state, _) => new ValueTask<int>(state), 42, CancellationToken.None);

    [Benchmark]
    public ValueTask<int> BotResilience_LimiterTimeoutRetryBreaker() =>
        _oursWithLimiter.ExecuteAsync(static (state, _) => new ValueTask<int>(state), 42, CancellationToken.None);
}
