using BotResilience.CircuitBreaking;
using BotResilience.Concurrency;
using BotResilience.Pipelines;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Testing;
using BotResilience.Tests.Retry;
using BotResilience.Timeouts;

namespace BotResilience.Tests.Pipelines;

public sealed class PipelineTests
{
    private static RetryOptions NoJitter(int attempts = 3) =>
        new() { UseJitter = false, BackoffType = BackoffType.Constant, Delay = TimeSpan.FromSeconds(1), MaxRetryAttempts = attempts };

    [Fact]
    public async Task Empty_pipeline_runs_the_callback()
    {
        Assert.Equal(3, await new ResiliencePipelineBuilder().Build().ExecuteAsync(static (s, _) => new ValueTask<int>(s + 1), 2));
        Assert.Equal(4, await ResiliencePipeline.Empty.ExecuteAsync(static _ => new ValueTask<int>(4)));
    }

    [Fact]
    public async Task Strategies_run_outermost_first_in_the_order_added()
    {
        // Breaker outside retry sees one execution; inside it sees every attempt.
        var time = new ManualTimeProvider();
        var outer = new CircuitBreaker(new CircuitBreakerOptions { Name = "outer", FailureThreshold = 2 }, time);
        var inner = new CircuitBreaker(new CircuitBreakerOptions { Name = "inner", FailureThreshold = 2 }, time);
        var pipeline = new ResiliencePipelineBuilder(time).AddCircuitBreaker(outer).AddRetry(NoJitter(2)).AddCircuitBreaker(inner).Build();
        var run = pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException("down")).AsTask();
        time.Step(TimeSpan.FromSeconds(5));
        // Attempt 1 and 2 fail through "inner" (opens at 2), attempt 3 is rejected by it.
        await Assert.ThrowsAsync<BrokenCircuitException>(() => run);
        Assert.Equal(CircuitState.Open, inner.State);
        Assert.Equal(CircuitState.Closed, outer.State);
    }

    [Fact]
    public async Task Open_breaker_rejects_without_running_the_callback_and_fallback_catches_it()
    {
        var time = new ManualTimeProvider();
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { Name = "ai", FailureThreshold = 1 }, time);
        breaker.Isolate();
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(time)
            .AddFallback<string>((ex, _) => new ValueTask<string>(ex is BrokenCircuitException b ? "cached:" + b.CircuitName : "other"))
            .AddCircuitBreaker(breaker)
            .Build();
        Assert.Equal("cached:ai", await pipeline.ExecuteAsync(_ => { calls++; return new ValueTask<string>("live"); }));
        Assert.Equal(0, calls);
        var noFallback = pipeline.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => noFallback); // fallback is typed: only string results
    }

    [Fact]
    public async Task Breaker_counts_failures_by_IsFailure_and_ignores_the_callers_cancellation()
    {
        var time = new ManualTimeProvider();
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2, ShouldHandle = e => e is TimeoutException }, time);
        var pipeline = new ResiliencePipelineBuilder(time).AddCircuitBreaker(breaker).Build();
        await Assert.ThrowsAsync<ArgumentException>(() => pipeline.ExecuteAsync<int>(_ => throw new ArgumentException("not a failure")).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => pipeline.ExecuteAsync<int>(_ => throw new ArgumentException("not a failure")).AsTask());
        Assert.Equal(CircuitState.Closed, breaker.State);
        await Assert.ThrowsAsync<TimeoutException>(() => pipeline.ExecuteAsync<int>(_ => throw new TimeoutException()).AsTask());
        await Assert.ThrowsAsync<TimeoutException>(() => pipeline.ExecuteAsync<int>(_ => throw new TimeoutException()).AsTask());
        Assert.Equal(CircuitState.Open, breaker.State);
        var rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());
        Assert.Equal(TimeSpan.FromSeconds(300), rejected.RetryAfter);
    }

    [Fact]
    public async Task Fallback_honours_shouldHandle_and_never_replaces_the_callers_cancellation()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddFallback<int>((_, _) => new ValueTask<int>(-1), e => e is InvalidOperationException)
            .Build();
        Assert.Equal(-1, await pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException()));
        await Assert.ThrowsAsync<ArgumentException>(() => pipeline.ExecuteAsync<int>(_ => throw new ArgumentException()).AsTask());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var all = new ResiliencePipelineBuilder().AddFallback<int>((_, _) => new ValueTask<int>(-1)).Build();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            all.ExecuteAsync(ct => { ct.ThrowIfCancellationRequested(); return new ValueTask<int>(1); }, cts.Token).AsTask());
    }

    [Fact]
    public async Task Rate_limiter_in_reject_mode_throws_with_the_exact_retry_after()
    {
        var limiter = new FakeRateLimiter { Available = 1, RetryAfter = TimeSpan.FromSeconds(3) };
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter, wait: false).Build();
        Assert.Equal(1, await pipeline.ExecuteAsync(_ => new ValueTask<int>(1)));
        var ex = await Assert.ThrowsAsync<RateLimitRejectedException>(() => pipeline.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());
        Assert.Equal(TimeSpan.FromSeconds(3), ex.RetryAfter);
        Assert.Equal(RateLimitOutcome.Throttled, ex.Outcome);
    }

    [Fact]
    public async Task Rate_limiter_in_wait_mode_waits_for_the_permit_and_rejects_when_the_queue_is_full()
    {
        var limiter = new FakeRateLimiter { Available = 0, QueueLimit = 1 };
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();
        var ran = false;
        var waiting = pipeline.ExecuteAsync(_ => { ran = true; return new ValueTask<int>(7); }).AsTask();
        Assert.False(ran);
        var full = await Assert.ThrowsAsync<RateLimitRejectedException>(() => pipeline.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());
        Assert.Equal(RateLimitOutcome.QueueFull, full.Outcome);
        limiter.Release();
        Assert.Equal(7, await waiting);
    }

    [Fact]
    public async Task Rate_limiter_wait_is_bounded_by_an_enclosing_timeout()
    {
        var time = new ManualTimeProvider();
        var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1) }, time);
        var pipeline = new ResiliencePipelineBuilder(time).AddTimeout(TimeSpan.FromSeconds(2)).AddRateLimiter(limiter).Build();
        Assert.Equal(1, await pipeline.ExecuteAsync(_ => new ValueTask<int>(1)));
        var run = pipeline.ExecuteAsync(_ => new ValueTask<int>(2)).AsTask();
        time.Step(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => run);
    }

    [Fact]
    public async Task Flood_gate_strategy_fails_fast_when_the_pause_outlasts_the_overall_timeout()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("bot", TimeSpan.FromSeconds(40));
        var pipeline = new ResiliencePipelineBuilder(time).AddTimeout(TimeSpan.FromSeconds(25)).AddFloodGate(gate, "bot").Build();
        var run = pipeline.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask();
        Assert.True(run.IsCompleted);
        var ex = await Assert.ThrowsAsync<FloodWaitException>(() => run);
        Assert.Equal(TimeSpan.FromSeconds(40), ex.RetryAfter);
        Assert.Equal("bot", ex.Scope);
    }

    [Fact]
    public async Task Bulkhead_strategy_holds_a_slot_while_running_and_releases_it()
    {
        var bulkhead = new PriorityBulkhead(new PriorityBulkheadOptions { MaxConcurrency = 1, QueueLimit = 0, Name = "ai" });
        var pipeline = new ResiliencePipelineBuilder().AddBulkhead(bulkhead).Build();
        var gate = new TaskCompletionSource<int>();
        var first = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        Assert.Equal(1, bulkhead.CurrentCount);
        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => pipeline.ExecuteAsync(_ => new ValueTask<int>(2)).AsTask());
        Assert.Equal("ai", rejected.BulkheadName);
        gate.SetResult(1);
        Assert.Equal(1, await first);
        Assert.Equal(0, bulkhead.CurrentCount);
        Assert.Equal(3, await pipeline.ExecuteAsync(_ => new ValueTask<int>(3)));
        Assert.Equal(0, bulkhead.CurrentCount);
    }

    [Fact]
    public async Task Void_and_synchronous_executions_run_through_the_strategies()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(NoJitter()).Build();
        var calls = 0;
        var run = pipeline.ExecuteAsync(static (counter, _) =>
        {
            if (++counter[0] == 1)
            {
                throw new InvalidOperationException();
            }

            return ValueTask.CompletedTask;
        }, new int[1]).AsTask();
        time.Step(TimeSpan.FromSeconds(1));
        await run;

        var sync = new ResiliencePipelineBuilder().AddRetry(new RetryOptions { Delay = TimeSpan.Zero, MaxRetryAttempts = 2 }).Build();
        Assert.Equal(3, sync.Execute((_, _) => ++calls < 3 ? throw new InvalidOperationException() : calls, 0));
        Assert.Throws<InvalidOperationException>(() => sync.Execute<int, int>((_, _) => throw new InvalidOperationException(), 0));
    }

    [Fact]
    public async Task Success_path_of_timeout_retry_breaker_limiter_and_gate_allocates_nothing()
    {
        var limiter = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 1_000_000, TokensPerPeriod = 1_000_000, ReplenishmentPeriod = TimeSpan.FromSeconds(1) });
        var pipeline = new ResiliencePipelineBuilder()
            .AddRateLimiter(limiter)
            .AddFloodGate(new FloodGate(), "bot")
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryOptions())
            .AddCircuitBreaker(new CircuitBreaker(new CircuitBreakerOptions()))
            .AddFallback<int>((_, _) => new ValueTask<int>(0))
            .Build();
        using var cts = new CancellationTokenSource();
        await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1, cts.Token);
        _ = MeasureSynchronousSuccessAllocations(pipeline, cts.Token); // warm-up: lambda caches, tiering
        Assert.Equal(0, MeasureSynchronousSuccessAllocations(pipeline, cts.Token));
    }

    internal static long MeasureSynchronousSuccessAllocations(ResiliencePipeline pipeline, CancellationToken token)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var result = pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), i, token);
            Assert.True(result.IsCompletedSuccessfully);
            _ = result.Result;
            _ = pipeline.Execute(static (s, _) => s, i);
            var done = pipeline.ExecuteAsync(static (_, _) => ValueTask.CompletedTask, i);
            Assert.True(done.IsCompletedSuccessfully);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Builder_rejects_null_arguments()
    {
        var builder = new ResiliencePipelineBuilder();
        Assert.Throws<ArgumentNullException>(() => builder.AddRateLimiter(null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddFloodGate(null!, "bot"));
        Assert.Throws<ArgumentException>(() => builder.AddFloodGate(new FloodGate(), ""));
        Assert.Throws<ArgumentNullException>(() => builder.AddRetry(null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddCircuitBreaker(null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddBulkhead(null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddFallback<int>(null!));
        Assert.Equal(0, builder.Count);
    }
}
