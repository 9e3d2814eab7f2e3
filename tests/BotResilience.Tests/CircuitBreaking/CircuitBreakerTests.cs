using BotResilience.CircuitBreaking;
using BotResilience.Testing;

namespace BotResilience.Tests.CircuitBreaking;

public sealed class CircuitBreakerTests
{
    private readonly ManualTimeProvider _time = new();

    private CircuitBreaker Create(Action<CircuitBreakerOptions>? configure = null)
    {
        var options = new CircuitBreakerOptions { Name = "test" };
        configure?.Invoke(options);
        return new CircuitBreaker(options, _time);
    }

    private static void Fail(CircuitBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out _));
            breaker.RecordFailure();
        }
    }

    [Fact]
    public void Defaults_match_the_seed_numbers()
    {
        var options = new CircuitBreakerOptions();
        Assert.Equal("default", options.Name);
        Assert.Equal(5, options.FailureThreshold);
        Assert.Null(options.FailureRatio);
        Assert.Equal(TimeSpan.FromSeconds(300), options.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SamplingDuration);
        Assert.Equal(10, options.MinimumThroughput);
        Assert.Equal(1, options.HalfOpenProbes);
    }

    [Fact]
    public void Consecutive_failures_open_the_circuit_at_the_threshold()
    {
        var breaker = Create();
        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(300), retryAfter);
    }

    [Fact]
    public void A_success_resets_the_failure_streak()
    {
        var breaker = Create();
        Fail(breaker, 4);
        Assert.True(breaker.TryEnter(out _));
        breaker.RecordSuccess();
        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Retry_after_counts_down_while_open()
    {
        var breaker = Create(o => o.BreakDuration = TimeSpan.FromSeconds(10));
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(3.5));
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(6.5), retryAfter);
    }

    [Fact]
    public void After_the_break_one_probe_is_admitted_and_the_rest_rejected()
    {
        var breaker = Create(o => o.BreakDuration = TimeSpan.FromSeconds(10));
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter(out var admittedRetry));
        Assert.Equal(TimeSpan.Zero, admittedRetry);
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);
        Assert.False(breaker.TryEnter(out _));
    }

    [Fact]
    public void Several_probes_when_configured()
    {
        var breaker = Create(o => o.HalfOpenProbes = 3);
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(300));
        Assert.True(breaker.TryEnter(out _));
        Assert.True(breaker.TryEnter(out _));
        Assert.True(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out _));
    }

    [Fact]
    public void Probe_success_closes_and_resets_counters()
    {
        var breaker = Create();
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(300));
        Assert.True(breaker.TryEnter(out _));
        breaker.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Probe_failure_opens_again_for_a_full_break()
    {
        var breaker = Create(o => o.BreakDuration = TimeSpan.FromSeconds(10));
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(12));
        Assert.True(breaker.TryEnter(out _));
        _time.Advance(TimeSpan.FromSeconds(2));
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);
    }

    [Fact]
    public void A_lost_probe_does_not_wedge_the_circuit()
    {
        var breaker = Create(o => o.BreakDuration = TimeSpan.FromSeconds(10));
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(breaker.TryEnter(out _)); // never reports
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryEnter(out _));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void A_canceled_probe_gives_its_slot_back()
    {
        var breaker = Create();
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(300));
        Assert.True(breaker.TryEnter(out _));
        breaker.RecordCanceled();
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out _));
    }

    [Fact]
    public void Outcomes_recorded_while_open_are_ignored()
    {
        var breaker = Create();
        Fail(breaker, 5);
        breaker.RecordSuccess();
        Assert.Equal(CircuitState.Open, breaker.State);
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(299));
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
    }

    [Fact]
    public void Ratio_mode_waits_for_minimum_throughput()
    {
        var breaker = Create(o =>
        {
            o.FailureRatio = 0.5;
            o.MinimumThroughput = 4;
            o.SamplingDuration = TimeSpan.FromSeconds(10);
        });
        Fail(breaker, 3);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Ratio_mode_opens_at_the_ratio_not_below()
    {
        var breaker = Create(o =>
        {
            o.FailureRatio = 0.5;
            o.MinimumThroughput = 4;
            o.SamplingDuration = TimeSpan.FromSeconds(10);
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.True(breaker.TryEnter(out _));
            breaker.RecordSuccess();
        }

        Fail(breaker, 2); // 2 / 5 = 0.4
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1); // 3 / 6 = 0.5
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Ratio_mode_forgets_outcomes_older_than_the_window()
    {
        var breaker = Create(o =>
        {
            o.FailureRatio = 0.5;
            o.MinimumThroughput = 4;
            o.SamplingDuration = TimeSpan.FromSeconds(10);
        });
        Fail(breaker, 3);
        _time.Advance(TimeSpan.FromSeconds(11));
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 3);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Ratio_mode_successes_keep_the_ratio_low()
    {
        var breaker = Create(o =>
        {
            o.FailureRatio = 0.2;
            o.MinimumThroughput = 2;
        });
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.True(breaker.TryEnter(out _));
                breaker.RecordSuccess();
            }

            Fail(breaker, 1); // 1 failure per 6 outcomes < 0.2
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Isolate_rejects_everything_with_infinite_retry_after_until_reset()
    {
        var breaker = Create();
        breaker.Isolate();
        Assert.Equal(CircuitState.Isolated, breaker.State);
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(Timeout.InfiniteTimeSpan, retryAfter);
        _time.Advance(TimeSpan.FromDays(2));
        Assert.False(breaker.TryEnter(out _));
        breaker.RecordSuccess();
        Assert.Equal(CircuitState.Isolated, breaker.State);
        breaker.Reset();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void Reset_closes_an_open_circuit_and_clears_the_streak()
    {
        var breaker = Create();
        Fail(breaker, 5);
        breaker.Reset();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);
        breaker.Reset(); // in closed: clears counters
        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void State_changes_are_reported_through_callback_and_event()
    {
        var fromCallback = new List<CircuitStateChange>();
        var fromEvent = new List<CircuitStateChange>();
        var breaker = Create(o =>
        {
            o.FailureThreshold = 1;
            o.BreakDuration = TimeSpan.FromSeconds(10);
            o.OnStateChanged = fromCallback.Add;
        });
        breaker.StateChanged += (sender, change) =>
        {
            Assert.Same(breaker, sender);
            fromEvent.Add(change);
        };

        Fail(breaker, 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(breaker.TryEnter(out _));
        breaker.RecordSuccess();
        breaker.Isolate();
        breaker.Isolate(); // no change
        breaker.Reset();

        var expected = new[]
        {
            (CircuitState.Closed, CircuitState.Open),
            (CircuitState.Open, CircuitState.HalfOpen),
            (CircuitState.HalfOpen, CircuitState.Closed),
            (CircuitState.Closed, CircuitState.Isolated),
            (CircuitState.Isolated, CircuitState.Closed),
        };
        Assert.Equal(expected, fromCallback.Select(c => (c.From, c.To)));
        Assert.Equal(expected, fromEvent.Select(c => (c.From, c.To)));
        Assert.All(fromCallback, c => Assert.Equal("test", c.Name));
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(10), fromCallback[0].ChangedAt);
        Assert.Equal(_time.GetUtcNow(), fromCallback[1].ChangedAt);
    }

    [Fact]
    public void IsFailure_uses_ShouldHandle_or_skips_cancellation_by_default()
    {
        var byDefault = Create();
        Assert.True(byDefault.IsFailure(new HttpRequestException()));
        Assert.False(byDefault.IsFailure(new OperationCanceledException()));
        Assert.False(byDefault.IsFailure(new TaskCanceledException()));

        var custom = Create(o => o.ShouldHandle = ex => ex is TimeoutException);
        Assert.True(custom.IsFailure(new TimeoutException()));
        Assert.False(custom.IsFailure(new InvalidOperationException()));
    }

    [Fact]
    public async Task ExecuteAsync_records_outcomes_and_throws_BrokenCircuitException_when_open()
    {
        var breaker = Create(o =>
        {
            o.FailureThreshold = 2;
            o.BreakDuration = TimeSpan.FromSeconds(30);
        });
        Assert.Equal(42, await breaker.ExecuteAsync(static _ => ValueTask.FromResult(42)));
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => breaker.ExecuteAsync<int>(static _ => throw new HttpRequestException()).AsTask());
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        _time.Advance(TimeSpan.FromSeconds(5));
        var rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => breaker.ExecuteAsync(static _ => ValueTask.FromResult(1)).AsTask());
        Assert.Equal("test", rejected.CircuitName);
        Assert.Equal(CircuitState.Open, rejected.State);
        Assert.Equal(TimeSpan.FromSeconds(25), rejected.RetryAfter);

        breaker.Isolate();
        var isolated = await Assert.ThrowsAsync<BrokenCircuitException>(() => breaker.ExecuteAsync(static _ => ValueTask.FromResult(1)).AsTask());
        Assert.Equal(CircuitState.Isolated, isolated.State);
        Assert.Equal(Timeout.InfiniteTimeSpan, isolated.RetryAfter);
    }

    [Fact]
    public async Task ExecuteAsync_caller_cancellation_neither_fails_nor_closes_a_half_open_circuit()
    {
        var breaker = Create(o => o.FailureThreshold = 1);
        breaker.Enter();
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(300));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            breaker.ExecuteAsync<int>(static ct => throw new OperationCanceledException(ct), cts.Token).AsTask());
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter(out _)); // the probe slot came back
    }

    [Fact]
    public async Task ExecuteAsync_unhandled_exception_counts_as_success()
    {
        var breaker = Create(o =>
        {
            o.FailureThreshold = 2;
            o.ShouldHandle = ex => ex is TimeoutException;
        });
        await Assert.ThrowsAsync<TimeoutException>(() => breaker.ExecuteAsync<int>(static _ => throw new TimeoutException()).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => breaker.ExecuteAsync<int>(static _ => throw new ArgumentException("x")).AsTask());
        await Assert.ThrowsAsync<TimeoutException>(() => breaker.ExecuteAsync<int>(static _ => throw new TimeoutException()).AsTask());
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void TryEnter_with_state_reports_the_deciding_state()
    {
        var breaker = Create(o => o.FailureThreshold = 1);
        Assert.True(breaker.TryEnter(out _, out var closed));
        Assert.Equal(CircuitState.Closed, closed);
        breaker.RecordFailure();
        Assert.False(breaker.TryEnter(out var retry, out var open));
        Assert.Equal(CircuitState.Open, open);
        Assert.Equal(TimeSpan.FromSeconds(300), retry);
        _time.Advance(TimeSpan.FromSeconds(300));
        Assert.True(breaker.TryEnter(out _, out var probe));
        Assert.Equal(CircuitState.HalfOpen, probe);
        Assert.False(breaker.TryEnter(out _, out var halfOpen));
        Assert.Equal(CircuitState.HalfOpen, halfOpen);
        breaker.Isolate();
        Assert.False(breaker.TryEnter(out var forever, out var isolated));
        Assert.Equal(CircuitState.Isolated, isolated);
        Assert.Equal(Timeout.InfiniteTimeSpan, forever);
    }

    [Fact]
    public void Enter_throws_when_rejected()
    {
        var breaker = Create(o => o.FailureThreshold = 1);
        breaker.Enter();
        breaker.RecordFailure();
        var ex = Assert.Throws<BrokenCircuitException>(breaker.Enter);
        Assert.Equal(TimeSpan.FromSeconds(300), ex.RetryAfter);
        Assert.Contains("test", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(CircuitBreakerOptions.FailureThreshold))]
    [InlineData(nameof(CircuitBreakerOptions.FailureRatio))]
    [InlineData(nameof(CircuitBreakerOptions.SamplingDuration))]
    [InlineData(nameof(CircuitBreakerOptions.MinimumThroughput))]
    [InlineData(nameof(CircuitBreakerOptions.BreakDuration))]
    [InlineData(nameof(CircuitBreakerOptions.HalfOpenProbes))]
    public void Invalid_options_are_rejected_at_construction_naming_the_option(string option)
    {
        var options = new CircuitBreakerOptions();
        switch (option)
        {
            case nameof(CircuitBreakerOptions.FailureThreshold): options.FailureThreshold = 0; break;
            case nameof(CircuitBreakerOptions.FailureRatio): options.FailureRatio = 1.5; break;
            case nameof(CircuitBreakerOptions.SamplingDuration): options.SamplingDuration = TimeSpan.FromMilliseconds(1); break;
            case nameof(CircuitBreakerOptions.MinimumThroughput): options.MinimumThroughput = 0; break;
            case nameof(CircuitBreakerOptions.BreakDuration): options.BreakDuration = TimeSpan.Zero; break;
            case nameof(CircuitBreakerOptions.HalfOpenProbes): options.HalfOpenProbes = 0; break;
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(options, _time));
        Assert.Equal(option, ex.ParamName);
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_ratio_bounds_and_name_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(new CircuitBreakerOptions { FailureRatio = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(new CircuitBreakerOptions { FailureRatio = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(new CircuitBreakerOptions { BreakDuration = TimeSpan.FromDays(2) }));
        Assert.Equal("Name", Assert.Throws<ArgumentException>(() => new CircuitBreaker(new CircuitBreakerOptions { Name = "" })).ParamName);
        _ = new CircuitBreaker(new CircuitBreakerOptions { FailureRatio = 1 });
    }

    [Fact]
    public void Closed_hot_path_does_not_allocate()
    {
        var breaker = Create();
        var ratio = Create(o => o.FailureRatio = 0.5);
        for (var i = 0; i < 100; i++)
        {
            breaker.TryEnter(out _);
            breaker.RecordSuccess();
            ratio.TryEnter(out _);
            ratio.RecordSuccess();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            breaker.TryEnter(out _);
            breaker.RecordSuccess();
            ratio.TryEnter(out _);
            ratio.RecordSuccess();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Concurrent_half_open_admits_exactly_the_probe_count()
    {
        var breaker = Create(o =>
        {
            o.FailureThreshold = 1;
            o.HalfOpenProbes = 3;
        });
        breaker.Enter();
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(300));
        var admitted = 0;
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 8).Select(n => Task.Run(() =>
        {
            start.Wait();
            for (var i = 0; i < 1000; i++)
            {
                if (breaker.TryEnter(out _))
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);
        Assert.Equal(3, admitted);
    }
}
