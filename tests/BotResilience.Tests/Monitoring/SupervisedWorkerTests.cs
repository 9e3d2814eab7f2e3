using System.Diagnostics.Metrics;
using BotResilience.Monitoring;
using BotResilience.Telemetry;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.Monitoring;

public sealed class SupervisedWorkerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static (SupervisedWorker Worker, WorkerHarness Harness) Create(Func<CancellationToken, ValueTask> work, Action<PeriodicWorkerOptions>? configure = null, Watchdog? watchdog = null, TestLogger? logger = null, ManualTimeProvider? time = null)
    {
        time ??= new ManualTimeProvider();
        var options = new PeriodicWorkerOptions { Name = "reminders", Interval = Interval, IterationTimeout = TimeSpan.FromSeconds(120), MaxBackoff = TimeSpan.FromSeconds(60) };
        configure?.Invoke(options);
        var worker = new SupervisedWorker(options, work, time, logger, watchdog);
        return (worker, new WorkerHarness(worker, time));
    }

    [Fact]
    public async Task Successful_iteration_emits_START_then_END_with_duration_and_runs_every_interval()
    {
        var time = new ManualTimeProvider();
        var (worker, h) = Create(ct => new ValueTask(Task.Delay(TimeSpan.FromSeconds(3), time, ct)), time: time);
        await worker.StartAsync();

        var start = await h.NextStartAsync();
        Assert.Equal(1, start.Iteration);
        Assert.Equal("reminders", start.WorkerName);
        await h.WaitForTimersAsync(2); // iteration timeout + the work's own delay
        time.Advance(TimeSpan.FromSeconds(3));
        var end = await h.NextEndAsync();
        Assert.Equal((1L, WorkerIterationOutcome.Succeeded), (end.Iteration, end.Outcome));
        Assert.Equal(TimeSpan.FromSeconds(3), end.Duration);
        Assert.Null(end.Exception);
        Assert.Equal(Interval - TimeSpan.FromSeconds(3), end.NextDelay); // fixed rate: starts every 10 s

        await h.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromSeconds(6.9));
        Assert.False(h.HasPendingEvent);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(2, (await h.NextStartAsync()).Iteration);

        await worker.StopAsync();
        Assert.Equal(WorkerIterationOutcome.Cancelled, (await h.NextEndAsync()).Outcome);
        Assert.False(worker.IsRunning);
    }

    [Fact]
    public async Task Failures_back_off_exponentially_up_to_MaxBackoff_and_a_success_resets()
    {
        var time = new ManualTimeProvider();
        var failNext = 4;
        var (worker, h) = Create(_ => Interlocked.Decrement(ref failNext) >= 0 ? throw new InvalidOperationException("db down") : ValueTask.CompletedTask, time: time);
        await worker.StartAsync();

        var expected = new[] { 20, 40, 60, 60 }; // 10 s · 2^n, capped at 60 s
        for (var i = 0; i < expected.Length; i++)
        {
            await h.NextStartAsync();
            var end = await h.NextEndAsync();
            Assert.Equal(WorkerIterationOutcome.Failed, end.Outcome);
            Assert.Equal("db down", Assert.IsType<InvalidOperationException>(end.Exception).Message);
            Assert.Equal(i + 1, end.ConsecutiveFailures);
            Assert.Equal(TimeSpan.FromSeconds(expected[i]), end.NextDelay);
            await h.WaitForTimersAsync(1);
            time.Advance(TimeSpan.FromSeconds(expected[i]) - TimeSpan.FromTicks(1));
            Assert.False(h.HasPendingEvent);
            time.Advance(TimeSpan.FromTicks(1));
        }

        await h.NextStartAsync();
        var success = await h.NextEndAsync();
        Assert.Equal(WorkerIterationOutcome.Succeeded, success.Outcome);
        Assert.Equal(0, success.ConsecutiveFailures);
        Assert.Equal(0, worker.ConsecutiveFailures);
        Assert.Equal(Interval, success.NextDelay);
        await worker.DisposeAsync();
    }

    [Fact]
    public async Task Iteration_exceeding_its_timeout_is_cancelled_and_ends_TimedOut()
    {
        var time = new ManualTimeProvider();
        var logger = new TestLogger();
        var (worker, h) = Create(async ct => await Task.Delay(Timeout.InfiniteTimeSpan, ct), time: time, logger: logger);
        await worker.StartAsync();
        await h.NextStartAsync();
        await h.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.False(h.HasPendingEvent);
        time.Advance(TimeSpan.FromSeconds(1));
        var end = await h.NextEndAsync();
        Assert.Equal(WorkerIterationOutcome.TimedOut, end.Outcome);
        Assert.IsAssignableFrom<OperationCanceledException>(end.Exception);
        Assert.Equal(TimeSpan.FromSeconds(120), end.Duration);
        Assert.Equal(1, end.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromSeconds(20), end.NextDelay);
        Assert.Contains(logger.Messages, m => m.StartsWith("WORKER_TIMEOUT worker=reminders iteration=1", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.StartsWith("ITERATION_END worker=reminders iteration=1 outcome=TimedOut", StringComparison.Ordinal));
        await worker.DisposeAsync();
    }

    [Fact]
    public async Task Stop_cancels_the_running_iteration_and_waits_for_it_to_end()
    {
        var time = new ManualTimeProvider();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (worker, h) = Create(
            async ct =>
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    await release.Task; // cleanup that takes a while
                    throw;
                }
            },
            time: time);
        await worker.StartAsync();
        await h.NextStartAsync();

        var stop = worker.StopAsync();
        await Task.Delay(50);
        Assert.False(stop.IsCompleted); // still waiting for the iteration's cleanup
        Assert.False(h.HasPendingEvent);
        release.SetResult();
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        var end = await h.NextEndAsync();
        Assert.Equal(WorkerIterationOutcome.Cancelled, end.Outcome);
        Assert.Null(end.NextDelay);
        Assert.False(worker.IsRunning);
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public async Task Stop_during_the_wait_between_iterations_ends_without_a_new_iteration()
    {
        var time = new ManualTimeProvider();
        var (worker, h) = Create(_ => ValueTask.CompletedTask, time: time);
        await worker.StartAsync();
        await h.NextStartAsync();
        await h.NextEndAsync();
        await h.WaitForTimersAsync(1);
        await worker.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(h.HasPendingEvent);
        Assert.Equal(1, worker.IterationCount);
        Assert.Equal(WorkerIterationOutcome.Succeeded, worker.LastOutcome);
    }

    [Fact]
    public async Task Iterations_never_overlap_even_when_one_runs_far_longer_than_the_interval()
    {
        var time = new ManualTimeProvider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int concurrent = 0, maxConcurrent = 0, calls = 0;
        var (worker, h) = Create(
            async _ =>
            {
                var now = Interlocked.Increment(ref concurrent);
                InterlockedMax(ref maxConcurrent, now);
                if (Interlocked.Increment(ref calls) == 1)
                {
                    await gate.Task; // ignores its token on purpose
                }

                Interlocked.Decrement(ref concurrent);
            },
            o => o.IterationTimeout = Timeout.InfiniteTimeSpan,
            time: time);
        await worker.StartAsync();
        await h.NextStartAsync();
        for (var i = 0; i < 10; i++)
        {
            time.Advance(Interval);
        }

        Assert.False(h.HasPendingEvent); // no second START while the first runs
        time.Advance(TimeSpan.FromSeconds(5));
        gate.SetResult();
        var end = await h.NextEndAsync();
        Assert.Equal(TimeSpan.FromSeconds(105), end.Duration);
        Assert.Equal(TimeSpan.Zero, end.NextDelay); // overdue: next starts at once, no catch-up burst
        Assert.Equal(2, (await h.NextStartAsync()).Iteration);
        Assert.Equal(WorkerIterationOutcome.Succeeded, (await h.NextEndAsync()).Outcome);
        await worker.StopAsync();
        Assert.Equal(1, maxConcurrent);
        Assert.Equal(2, worker.IterationCount);
    }

    [Fact]
    public async Task START_and_END_pair_up_for_all_four_outcomes()
    {
        var time = new ManualTimeProvider();
        var call = 0;
        var (worker, h) = Create(
            async ct =>
            {
                switch (Interlocked.Increment(ref call))
                {
                    case 1:
                        return; // Succeeded
                    case 2:
                        throw new InvalidOperationException("sync throw before any await"); // Failed
                    case 3:
                        await Task.Delay(Timeout.InfiniteTimeSpan, ct); // TimedOut
                        return;
                    default:
                        await Task.Delay(Timeout.InfiniteTimeSpan, ct); // Cancelled by Stop
                        return;
                }
            },
            o => o.IterationTimeout = TimeSpan.FromSeconds(30),
            time: time);
        await worker.StartAsync();

        await h.NextStartAsync();
        Assert.Equal(WorkerIterationOutcome.Succeeded, (await h.NextEndAsync()).Outcome);
        await h.WaitForTimersAsync(1);
        time.Advance(Interval);
        await h.NextStartAsync();
        Assert.Equal(WorkerIterationOutcome.Failed, (await h.NextEndAsync()).Outcome);
        await h.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromSeconds(20));
        await h.NextStartAsync();
        await h.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(WorkerIterationOutcome.TimedOut, (await h.NextEndAsync()).Outcome);
        await h.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromSeconds(40));
        await h.NextStartAsync();
        await worker.StopAsync();
        Assert.Equal(WorkerIterationOutcome.Cancelled, (await h.NextEndAsync()).Outcome);

        var all = h.All;
        Assert.Equal(8, all.Count);
        for (var i = 0; i < all.Count; i += 2)
        {
            var start = Assert.IsType<WorkerIterationStartedEventArgs>(all[i]);
            var end = Assert.IsType<WorkerIterationCompletedEventArgs>(all[i + 1]);
            Assert.Equal(start.Iteration, end.Iteration);
            Assert.Equal((i / 2) + 1, start.Iteration);
        }
    }

    [Fact]
    public async Task A_throwing_START_subscriber_does_not_lose_the_END_event()
    {
        var time = new ManualTimeProvider();
        var (worker, h) = Create(_ => ValueTask.CompletedTask, time: time);
        worker.IterationStarted += (_, _) => throw new InvalidOperationException("subscriber bug");
        await worker.StartAsync();
        await h.NextStartAsync();
        Assert.Equal(WorkerIterationOutcome.Succeeded, (await h.NextEndAsync()).Outcome);
        await worker.StopAsync();
    }

    [Fact]
    public async Task First_iteration_waits_for_the_initial_delay()
    {
        var time = new ManualTimeProvider();
        var (worker, h) = Create(_ => ValueTask.CompletedTask, o => o.InitialDelay = TimeSpan.FromSeconds(30), time: time);
        await worker.StartAsync();
        await h.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(h.HasPendingEvent);
        time.Advance(TimeSpan.FromSeconds(1));
        await h.NextStartAsync();
        await worker.StopAsync();
    }

    [Fact]
    public async Task Worker_beats_its_watchdog_source_and_a_hung_iteration_goes_stale()
    {
        var time = new ManualTimeProvider();
        var watchdog = new Watchdog(new WatchdogOptions { GracePeriod = TimeSpan.Zero }, time);
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var (worker, h) = Create(
            async _ =>
            {
                if (Interlocked.Increment(ref calls) == 3)
                {
                    await hang.Task; // hangs and ignores cancellation
                }
            },
            o => o.WatchdogSilenceLimit = TimeSpan.FromSeconds(300),
            watchdog,
            time: time);
        Assert.NotNull(worker.LivenessSource);
        Assert.Equal("reminders", worker.LivenessSource.Name);
        Assert.Equal(TimeSpan.FromSeconds(300), worker.LivenessSource.SilenceLimit);
        await worker.StartAsync();
        for (var i = 0; i < 2; i++)
        {
            await h.NextStartAsync();
            await h.NextEndAsync();
            await h.WaitForTimersAsync(1);
            time.Advance(Interval);
        }

        await h.NextStartAsync(); // third iteration hangs
        Assert.True(watchdog.Check().IsHealthy);
        time.Advance(TimeSpan.FromSeconds(299));
        Assert.True(watchdog.Check().IsHealthy);
        time.Advance(TimeSpan.FromSeconds(2));
        var status = watchdog.Check();
        Assert.False(status.IsHealthy);
        Assert.Equal(LivenessState.Stale, status.Sources.Single().State);
        hang.SetResult();
        await h.NextEndAsync(); // the END comes when the work finally returns
        Assert.True(watchdog.Check().IsHealthy);
        await worker.StopAsync();
    }

    [Fact]
    public void Default_watchdog_silence_limit_covers_backoff_and_timeout()
    {
        var watchdog = new Watchdog();
        var worker = new SupervisedWorker(new PeriodicWorkerOptions { Name = "w", Interval = TimeSpan.FromSeconds(30), IterationTimeout = TimeSpan.FromSeconds(120), MaxBackoff = TimeSpan.FromMinutes(5) }, _ => ValueTask.CompletedTask, watchdog: watchdog);
        Assert.Equal(TimeSpan.FromSeconds(2 * (300 + 120)), worker.LivenessSource!.SilenceLimit);
    }

    [Fact]
    public async Task Extra_liveness_source_is_beaten_at_start_and_end()
    {
        var time = new ManualTimeProvider();
        var watchdog = new Watchdog(null, time);
        var source = watchdog.Register("polling", TimeSpan.FromSeconds(60));
        var (worker, h) = Create(ct => new ValueTask(Task.Delay(TimeSpan.FromSeconds(5), time, ct)), o => o.LivenessSource = source, time: time);
        await worker.StartAsync();
        await h.NextStartAsync();
        Assert.True(source.HasBeaten);
        await h.WaitForTimersAsync(2);
        time.Advance(TimeSpan.FromSeconds(5));
        await h.NextEndAsync();
        Assert.Equal(TimeSpan.Zero, source.TimeSinceLastBeat); // beaten again at END
        await worker.StopAsync();
    }

    [Fact]
    public async Task RunAsync_twice_concurrently_is_rejected()
    {
        var time = new ManualTimeProvider();
        var (worker, h) = Create(_ => ValueTask.CompletedTask, time: time);
        using var cts = new CancellationTokenSource();
        var run = worker.RunAsync(cts.Token);
        await h.NextStartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => worker.RunAsync(CancellationToken.None));
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Iterations_are_counted_by_outcome_in_metrics()
    {
        var time = new ManualTimeProvider();
        var name = "metrics-" + Guid.NewGuid().ToString("N");
        var counts = new Dictionary<string, long>();
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ResilienceTelemetry.MeterName && instrument.Name.StartsWith("botresilience.worker.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "worker") == name)
            {
                lock (counts)
                {
                    var outcome = Tag(tags, "outcome")!;
                    counts[outcome] = counts.GetValueOrDefault(outcome) + value;
                }
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "worker") == name)
            {
                lock (durations)
                {
                    durations.Add(value);
                }
            }
        });
        listener.Start();

        var call = 0;
        var (worker, h) = Create(_ => Interlocked.Increment(ref call) == 2 ? throw new InvalidOperationException() : ValueTask.CompletedTask, o => o.Name = name, time: time);
        await worker.StartAsync();
        await h.NextStartAsync();
        await h.NextEndAsync();
        await h.WaitForTimersAsync(1);
        time.Advance(Interval);
        await h.NextStartAsync();
        await h.NextEndAsync();
        await worker.StopAsync();

        lock (counts)
        {
            Assert.Equal(1, counts["succeeded"]);
            Assert.Equal(1, counts["failed"]);
        }

        lock (durations)
        {
            Assert.Equal(2, durations.Count);
        }

        static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == key)
                {
                    return tag.Value as string;
                }
            }

            return null;
        }
    }

    [Fact]
    public void Backoff_is_between_Interval_and_MaxBackoff_and_never_decreases()
    {
        Prop.ForAll(
            Gen.Choose(1, 10_000).ToArbitrary(),
            Gen.Choose(1, 100_000).ToArbitrary(),
            Gen.Choose(0, 200).ToArbitrary(),
            (intervalMs, maxMs, failures) =>
            {
                var options = new PeriodicWorkerOptions { Interval = TimeSpan.FromMilliseconds(intervalMs), MaxBackoff = TimeSpan.FromMilliseconds(maxMs) };
                var delay = options.BackoffAfter(failures + 1);
                var next = options.BackoffAfter(failures + 2);
                var upper = TimeSpan.FromMilliseconds(Math.Max(intervalMs, maxMs));
                return delay >= options.Interval && delay <= upper && next >= delay;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Invalid_options_are_rejected_at_construction()
    {
        static void Make(Action<PeriodicWorkerOptions> change)
        {
            var o = new PeriodicWorkerOptions();
            change(o);
            _ = new SupervisedWorker(o, _ => ValueTask.CompletedTask);
        }

        Assert.Equal("Interval", Assert.Throws<ArgumentOutOfRangeException>(() => Make(o => o.Interval = TimeSpan.Zero)).ParamName);
        Assert.Equal("IterationTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => Make(o => o.IterationTimeout = TimeSpan.Zero)).ParamName);
        Assert.Equal("InitialDelay", Assert.Throws<ArgumentOutOfRangeException>(() => Make(o => o.InitialDelay = TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("MaxBackoff", Assert.Throws<ArgumentOutOfRangeException>(() => Make(o => o.MaxBackoff = TimeSpan.Zero)).ParamName);
        Assert.Equal("WatchdogSilenceLimit", Assert.Throws<ArgumentOutOfRangeException>(() => Make(o => o.WatchdogSilenceLimit = TimeSpan.Zero)).ParamName);
        Assert.Equal("Name", Assert.Throws<ArgumentException>(() => Make(o => o.Name = "")).ParamName);
        Make(o => o.IterationTimeout = Timeout.InfiniteTimeSpan); // allowed
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
