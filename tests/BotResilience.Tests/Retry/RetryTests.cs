using BotResilience.Pipelines;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Testing;
using BotResilience.Timeouts;

namespace BotResilience.Tests.Retry;

public sealed class RetryTests
{
    private static RetryOptions Options(Action<RetryOptions>? configure = null)
    {
        var options = new RetryOptions { UseJitter = false, BackoffType = BackoffType.Constant, Delay = TimeSpan.FromSeconds(1) };
        options.FloodWaitClassifiers.Add(new FakeFloodClassifier());
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Flood_wait_is_honoured_exactly_never_earlier()
    {
        var time = new ManualTimeProvider();
        var calls = new List<TimeSpan>();
        var start = time.GetTimestamp();
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options()).Build();
        var run = pipeline.ExecuteAsync(_ =>
        {
            calls.Add(time.GetElapsedTime(start));
            return calls.Count == 1 ? throw new FakeFloodException(TimeSpan.FromSeconds(7)) : new ValueTask<int>(42);
        }).AsTask();

        time.Step(TimeSpan.FromSeconds(7) - TimeSpan.FromTicks(1));
        Assert.Single(calls);
        time.Step(TimeSpan.FromTicks(1));
        Assert.Equal(42, await run);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(7)], calls);
    }

    [Fact]
    public async Task Flood_wait_is_not_lengthened_by_the_backoff()
    {
        var time = new ManualTimeProvider();
        var delays = new List<TimeSpan>();
        var attempt = 0;
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options(o =>
        {
            o.Delay = TimeSpan.FromSeconds(20);
            o.OnRetry = e => { delays.Add(e.Delay); return default; };
        })).Build();
        var run = pipeline.ExecuteAsync(_ => ++attempt == 1 ? throw new FakeFloodException(TimeSpan.FromSeconds(2)) : new ValueTask<int>(1)).AsTask();
        await ManualTimeDriver.RunAsync(time, run, TimeSpan.FromSeconds(1));
        Assert.Equal([TimeSpan.FromSeconds(2)], delays);
    }

    [Fact]
    public async Task Flood_wait_above_the_threshold_fails_fast_and_still_pauses_the_gate()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options(o => { o.FloodGate = gate; o.FloodGateScope = "bot"; })).Build();
        var run = pipeline.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new FakeFloodException(TimeSpan.FromSeconds(73_414));
        }).AsTask();
        Assert.True(run.IsCompleted);
        var ex = await Assert.ThrowsAsync<FloodWaitException>(() => run);
        Assert.Equal(TimeSpan.FromSeconds(73_414), ex.RetryAfter);
        Assert.Equal("bot", ex.Scope);
        Assert.IsType<FakeFloodException>(ex.InnerException);
        Assert.Equal(1, calls);
        Assert.Equal(TimeSpan.FromSeconds(73_414), gate.GetRemainingPause("bot"));
    }

    [Fact]
    public async Task Flood_wait_pauses_its_own_scope_and_other_callers_of_that_scope_wait()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        var retry = Options(o => { o.FloodGate = gate; o.FloodGateScope = "bot"; });
        var pipeline = new ResiliencePipelineBuilder(time).AddFloodGate(gate, "bot").AddRetry(retry).Build();
        var first = 0;
        var run = pipeline.ExecuteAsync(_ => ++first == 1 ? throw new FakeFloodException(TimeSpan.FromSeconds(10)) : new ValueTask<int>(1)).AsTask();
        Assert.Equal(TimeSpan.FromSeconds(10), gate.GetRemainingPause("bot"));

        var otherRan = false;
        var other = pipeline.ExecuteAsync(_ => { otherRan = true; return new ValueTask<int>(2); }).AsTask();
        time.Step(TimeSpan.FromSeconds(9));
        Assert.False(otherRan);
        time.Step(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await other);
        Assert.Equal(1, await run);

        var scoped = pipeline.ExecuteAsync(_ => ++first == 3 ? throw new FakeFloodException(TimeSpan.FromSeconds(5), "chat:9") : new ValueTask<int>(3)).AsTask();
        Assert.Equal(TimeSpan.FromSeconds(5), gate.GetRemainingPause("chat:9"));
        Assert.Equal(TimeSpan.Zero, gate.GetRemainingPause("bot"));
        time.Step(TimeSpan.FromSeconds(5));
        Assert.Equal(3, await scoped);
    }

    [Fact]
    public async Task Retry_waits_for_a_gate_deadline_moved_later_by_another_caller()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        var start = time.GetTimestamp();
        var attempts = new List<TimeSpan>();
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options(o => { o.FloodGate = gate; o.FloodGateScope = "bot"; })).Build();
        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts.Add(time.GetElapsedTime(start));
            return attempts.Count == 1 ? throw new FakeFloodException(TimeSpan.FromSeconds(5)) : new ValueTask<int>(1);
        }).AsTask();
        time.Step(TimeSpan.FromSeconds(2));
        gate.Pause("bot", TimeSpan.FromSeconds(10)); // someone else learned a longer wait: deadline t = 12 s
        await ManualTimeDriver.RunAsync(time, run, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(12), attempts[1]);
    }

    [Fact]
    public async Task Backoff_types_produce_the_documented_delays_without_jitter()
    {
        async Task<List<TimeSpan>> Delays(BackoffType type)
        {
            var time = new ManualTimeProvider();
            var delays = new List<TimeSpan>();
            var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options(o =>
            {
                o.BackoffType = type;
                o.MaxRetryAttempts = 5;
                o.MaxDelay = TimeSpan.FromSeconds(10);
                o.OnRetry = e => { delays.Add(e.Delay); return default; };
            })).Build();
            var run = pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException("boom")).AsTask();
            time.Step(TimeSpan.FromMinutes(5));
            await Assert.ThrowsAsync<InvalidOperationException>(() => run);
            return delays;
        }

        static TimeSpan S(double s) => TimeSpan.FromSeconds(s);
        Assert.Equal([S(1), S(1), S(1), S(1), S(1)], await Delays(BackoffType.Constant));
        Assert.Equal([S(1), S(2), S(3), S(4), S(5)], await Delays(BackoffType.Linear));
        Assert.Equal([S(1), S(2), S(4), S(8), S(10)], await Delays(BackoffType.Exponential));
    }

    [Fact]
    public void Jittered_backoff_stays_within_the_documented_bounds()
    {
        var random = new Random(7);
        double previous = 0;
        var delay = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(30);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var before = previous <= 0 ? delay.Ticks : previous;
            var d = Backoff.Compute(BackoffType.Exponential, attempt, delay, max, true, random.NextDouble, ref previous);
            Assert.InRange(d, delay, max);
            Assert.True(d.Ticks <= Math.Max(delay.Ticks, before * 3), "decorrelated jitter: at most 3 × the previous delay");
            var c = Backoff.Compute(BackoffType.Constant, attempt, delay, max, true, random.NextDouble, ref previous);
            Assert.InRange(c, TimeSpan.FromSeconds(0.75), TimeSpan.FromSeconds(1.25));
        }
    }

    [Fact]
    public async Task Exhausted_retries_rethrow_the_last_original_exception()
    {
        var time = new ManualTimeProvider();
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options(o => o.MaxRetryAttempts = 2)).Build();
        var run = pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException("attempt " + ++calls)).AsTask();
        time.Step(TimeSpan.FromSeconds(10));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("attempt 3", ex.Message);
    }

    [Fact]
    public async Task ShouldRetry_false_rethrows_at_once()
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(new ManualTimeProvider())
            .AddRetry(Options(o => o.ShouldRetry = e => e is not ArgumentException)).Build();
        var run = pipeline.ExecuteAsync<int>(_ => { calls++; throw new ArgumentException("bad"); }).AsTask();
        await Assert.ThrowsAsync<ArgumentException>(() => run);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Callers_cancellation_is_never_retried()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(new ManualTimeProvider()).AddRetry(Options(o => o.ShouldRetry = _ => true)).Build();
        var run = pipeline.ExecuteAsync<int>(ct => { calls++; ct.ThrowIfCancellationRequested(); return new ValueTask<int>(1); }, cts.Token).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cancellation_during_a_retry_delay_stops_at_once()
    {
        var time = new ManualTimeProvider();
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options()).Build();
        var run = pipeline.ExecuteAsync<int>(_ => { calls++; throw new FakeFloodException(TimeSpan.FromSeconds(30)); }, cts.Token).AsTask();
        time.Step(TimeSpan.FromSeconds(3));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Overall_timeout_outside_the_retry_makes_a_too_long_backoff_fail_at_once()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder(time)
            .AddTimeout(TimeSpan.FromSeconds(5))
            .AddRetry(Options(o => o.Delay = TimeSpan.FromSeconds(10)))
            .Build();
        var run = pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException("down")).AsTask();
        Assert.True(run.IsCompleted, "the retry must not start a delay that ends after the overall timeout");
        var ex = await Assert.ThrowsAsync<TimeoutRejectedException>(() => run);
        Assert.Equal(TimeSpan.FromSeconds(5), ex.Timeout);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
    }

    [Fact]
    public async Task Overall_timeout_outside_the_retry_makes_a_too_long_flood_wait_fail_at_once()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder(time)
            .AddTimeout(TimeSpan.FromSeconds(25))
            .AddRetry(Options())
            .Build();
        var run = pipeline.ExecuteAsync<int>(_ => throw new FakeFloodException(TimeSpan.FromSeconds(35), "chat:1")).AsTask();
        Assert.True(run.IsCompleted);
        var ex = await Assert.ThrowsAsync<FloodWaitException>(() => run);
        Assert.Equal(TimeSpan.FromSeconds(35), ex.RetryAfter);
        Assert.Equal("chat:1", ex.Scope);
    }

    [Fact]
    public async Task Flood_wait_within_the_overall_timeout_is_waited()
    {
        var time = new ManualTimeProvider();
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(time)
            .AddTimeout(TimeSpan.FromSeconds(25))
            .AddRetry(Options())
            .Build();
        var run = pipeline.ExecuteAsync(_ => ++calls == 1 ? throw new FakeFloodException(TimeSpan.FromSeconds(20)) : new ValueTask<int>(5)).AsTask();
        time.Step(TimeSpan.FromSeconds(20));
        Assert.Equal(5, await run);
    }

    [Fact]
    public async Task Per_attempt_timeout_inside_the_retry_is_retried()
    {
        var time = new ManualTimeProvider();
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(time)
            .AddRetry(Options())
            .AddTimeout(TimeSpan.FromSeconds(2))
            .Build();
        var run = pipeline.ExecuteAsync(async ct =>
        {
            if (++calls == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }

            return calls;
        }).AsTask();
        time.Step(TimeSpan.FromSeconds(2)); // attempt 1 times out
        time.Step(TimeSpan.FromSeconds(1)); // backoff
        Assert.Equal(2, await run);
    }

    [Fact]
    public async Task Rate_limit_rejection_is_retried_no_earlier_than_its_retry_after()
    {
        var time = new ManualTimeProvider();
        var start = time.GetTimestamp();
        var attempts = new List<TimeSpan>();
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options()).Build();
        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts.Add(time.GetElapsedTime(start));
            return attempts.Count == 1 ? throw new RateLimitRejectedException(TimeSpan.FromSeconds(4)) : new ValueTask<int>(1);
        }).AsTask();
        await ManualTimeDriver.RunAsync(time, run, TimeSpan.FromMilliseconds(500));
        Assert.Equal(TimeSpan.FromSeconds(4), attempts[1]);
    }

    [Fact]
    public async Task OnRetry_reports_attempt_delay_exception_and_flood_wait()
    {
        var time = new ManualTimeProvider();
        var events = new List<RetryEventArgs>();
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(Options(o => o.OnRetry = e => { events.Add(e); return default; })).Build();
        var run = pipeline.ExecuteAsync(_ => ++calls switch
        {
            1 => throw new FakeFloodException(TimeSpan.FromSeconds(3), "chat:2"),
            2 => throw new InvalidOperationException("x"),
            _ => new ValueTask<int>(calls),
        }).AsTask();
        time.Step(TimeSpan.FromSeconds(3));
        time.Step(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await run);
        Assert.Equal(2, events.Count);
        Assert.Equal(1, events[0].AttemptNumber);
        Assert.True(events[0].IsFloodWait);
        Assert.Equal(new FloodWait(TimeSpan.FromSeconds(3), "chat:2"), events[0].FloodWait);
        Assert.Equal(TimeSpan.FromSeconds(3), events[0].Delay);
        Assert.Equal(2, events[1].AttemptNumber);
        Assert.False(events[1].IsFloodWait);
        Assert.IsType<InvalidOperationException>(events[1].Exception);
    }

    [Theory]
    [InlineData("MaxRetryAttempts")]
    [InlineData("Delay")]
    [InlineData("MaxDelay")]
    [InlineData("FloodWaitThreshold")]
    public void Invalid_options_are_rejected_naming_the_option(string option)
    {
        var options = new RetryOptions();
        switch (option)
        {
            case "MaxRetryAttempts": options.MaxRetryAttempts = -1; break;
            case "Delay": options.Delay = TimeSpan.FromMinutes(5); break;
            case "MaxDelay": options.MaxDelay = TimeSpan.Zero; break;
            default: options.FloodWaitThreshold = TimeSpan.FromSeconds(-1); break;
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ResiliencePipelineBuilder().AddRetry(options));
        Assert.StartsWith(option + " must be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_are_copied_when_the_strategy_is_added()
    {
        var time = new ManualTimeProvider();
        var options = Options(o => o.MaxRetryAttempts = 1);
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(options).Build();
        options.MaxRetryAttempts = 10;
        var calls = 0;
        var run = pipeline.ExecuteAsync<int>(_ => { calls++; throw new InvalidOperationException(); }).AsTask();
        time.Step(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal(2, calls);
    }
}
