using System.Diagnostics.Metrics;
using BotResilience.Monitoring;
using BotResilience.Telemetry;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.Monitoring;

public sealed class ThreadPoolLagMonitorTests
{
    /// <summary>A monitor whose probes are captured instead of queued, so the test decides when they "start".</summary>
    private static (ThreadPoolLagMonitor Monitor, ManualTimeProvider Time, Queue<IThreadPoolWorkItem> Queued) Create(ThreadPoolLagMonitorOptions? options = null, TestLogger? logger = null)
    {
        var time = new ManualTimeProvider();
        var monitor = new ThreadPoolLagMonitor(options, time, logger);
        var queued = new Queue<IThreadPoolWorkItem>();
        monitor.QueueOverride = queued.Enqueue;
        return (monitor, time, queued);
    }

    [Fact]
    public void Lag_is_actual_start_minus_scheduled_time()
    {
        var (monitor, time, queued) = Create();
        monitor.Start();
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(queued);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Single(queued);

        time.Advance(TimeSpan.FromMilliseconds(300)); // the pool is busy: the probe waits
        queued.Dequeue().Execute();
        Assert.Equal(TimeSpan.FromMilliseconds(300), monitor.CurrentLag);
        Assert.Equal(1, monitor.TotalSamples);

        time.Advance(TimeSpan.FromSeconds(1)); // re-armed one interval after the probe ran
        queued.Dequeue().Execute();
        Assert.Equal(TimeSpan.Zero, monitor.CurrentLag);
        Assert.Equal(TimeSpan.FromMilliseconds(300), monitor.MaxLag);
    }

    [Fact]
    public void An_overdue_probe_is_reported_before_it_runs_and_probes_never_pile_up()
    {
        var (monitor, time, queued) = Create();
        monitor.Start();
        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(5)); // hung pool: the probe cannot start
        Assert.Single(queued);
        Assert.Equal(TimeSpan.FromSeconds(5), monitor.CurrentLag);
        Assert.Equal(TimeSpan.FromSeconds(5), monitor.MaxLag);
        Assert.Equal(0, monitor.TotalSamples);

        queued.Dequeue().Execute();
        Assert.Equal(TimeSpan.FromSeconds(5), monitor.GetSnapshot().P50);
    }

    [Fact]
    public void Lag_above_the_threshold_raises_the_event_and_logs_a_warning()
    {
        var logger = new TestLogger();
        var (monitor, time, queued) = Create(logger: logger);
        var events = new List<ThreadPoolLagEventArgs>();
        monitor.LagThresholdExceeded += (_, e) => events.Add(e);
        monitor.Start();

        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMilliseconds(500)); // exactly at the threshold: fine
        queued.Dequeue().Execute();
        Assert.Empty(events);

        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMilliseconds(750));
        queued.Dequeue().Execute();
        var e = Assert.Single(events);
        Assert.Equal(TimeSpan.FromMilliseconds(750), e.Lag);
        Assert.Equal(TimeSpan.FromMilliseconds(500), e.Threshold);
        Assert.Equal("default", e.MonitorName);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, entry.Level);
        Assert.Contains("750 ms late", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentiles_use_nearest_rank_over_the_last_N_samples()
    {
        var (monitor, time, queued) = Create(new ThreadPoolLagMonitorOptions { SampleCount = 100 });
        monitor.Start();
        for (var i = 200; i >= 1; i--) // 200 samples; only the last 100 (lags 100..1 ms) are kept
        {
            time.Advance(TimeSpan.FromSeconds(1));
            time.Advance(TimeSpan.FromMilliseconds(i));
            queued.Dequeue().Execute();
        }

        Assert.Equal(TimeSpan.FromMilliseconds(50), monitor.Percentile(50));
        Assert.Equal(TimeSpan.FromMilliseconds(95), monitor.Percentile(95));
        Assert.Equal(TimeSpan.FromMilliseconds(99), monitor.Percentile(99));
        Assert.Equal(TimeSpan.FromMilliseconds(100), monitor.Percentile(100));
        Assert.Equal(TimeSpan.FromMilliseconds(1), monitor.Percentile(0));
        Assert.Equal(TimeSpan.FromMilliseconds(100), monitor.MaxLag);
        var s = monitor.GetSnapshot();
        Assert.Equal((100, 200L), (s.SampleCount, s.TotalSamples));
        Assert.Equal((monitor.Percentile(50), monitor.Percentile(95), monitor.Percentile(99)), (s.P50, s.P95, s.P99));
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.Percentile(101));
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.Percentile(double.NaN));
    }

    [Fact]
    public void Percentile_and_max_match_a_model_of_the_last_N_samples()
    {
        Prop.ForAll(
            Gen.Choose(1, 20).ToArbitrary(),
            Gen.ListOf(Gen.Choose(0, 5000)).ToArbitrary(),
            Gen.Choose(0, 100).ToArbitrary(),
            (capacity, lagsMs, p) =>
            {
                var (monitor, time, queued) = Create(new ThreadPoolLagMonitorOptions { SampleCount = capacity });
                monitor.Start();
                foreach (var lag in lagsMs)
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                    time.Advance(TimeSpan.FromMilliseconds(lag));
                    queued.Dequeue().Execute();
                }

                var window = lagsMs.Skip(Math.Max(0, lagsMs.Count - capacity)).Order().ToList();
                var expected = window.Count == 0 ? 0 : window[Math.Clamp((int)Math.Ceiling(p / 100.0 * window.Count) - 1, 0, window.Count - 1)];
                var max = window.Count == 0 ? 0 : window[^1];
                return monitor.Percentile(p) == TimeSpan.FromMilliseconds(expected) && monitor.MaxLag == TimeSpan.FromMilliseconds(max);
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Stop_stops_probing_and_Start_resumes()
    {
        var (monitor, time, queued) = Create();
        monitor.Start();
        Assert.True(monitor.IsRunning);
        monitor.Stop();
        Assert.False(monitor.IsRunning);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(queued);
        Assert.Equal(TimeSpan.Zero, monitor.CurrentLag);

        monitor.Start();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(queued);
        monitor.Dispose();
        Assert.Equal(0, time.ActiveTimerCount);
        Assert.Throws<ObjectDisposedException>(monitor.Start);
    }

    [Fact]
    public void A_tick_allocates_nothing()
    {
        using var monitor = new ThreadPoolLagMonitor(new ThreadPoolLagMonitorOptions { Interval = TimeSpan.FromHours(1) });
        monitor.QueueOverride = static item => item.Execute(); // run the probe inline, on this thread
        monitor.Start();
        for (var i = 0; i < 100; i++)
        {
            monitor.OnTimer();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            monitor.OnTimer();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_100, monitor.TotalSamples);
    }

    [Fact]
    public void Invalid_options_are_rejected_at_construction()
    {
        Assert.Equal("Interval", Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolLagMonitor(new() { Interval = TimeSpan.Zero })).ParamName);
        Assert.Equal("Interval", Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolLagMonitor(new() { Interval = TimeSpan.FromHours(2) })).ParamName);
        Assert.Equal("WarningThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolLagMonitor(new() { WarningThreshold = TimeSpan.Zero })).ParamName);
        Assert.Equal("SampleCount", Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolLagMonitor(new() { SampleCount = 0 })).ParamName);
        Assert.Equal("Name", Assert.Throws<ArgumentException>(() => new ThreadPoolLagMonitor(new() { Name = "" })).ParamName);
    }

    [Fact]
    public void Gauges_report_lag_per_running_monitor_and_the_pool_counts()
    {
        var name = "gauge-" + Guid.NewGuid().ToString("N");
        var (monitor, time, queued) = Create(new ThreadPoolLagMonitorOptions { Name = name });
        monitor.Start();
        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMilliseconds(250));
        queued.Dequeue().Execute();

        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ResilienceTelemetry.MeterName && instrument.Name.StartsWith("botresilience.threadpool.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "monitor" && (string?)tag.Value == name)
                {
                    seen[instrument.Name] = value;
                }
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(0.25, seen["botresilience.threadpool.lag"], 6);
        Assert.Equal(0.25, seen["botresilience.threadpool.lag.max"], 6);
        Assert.True(seen["botresilience.threadpool.threads"] >= 1);
        Assert.True(seen.ContainsKey("botresilience.threadpool.queue_length"));
        Assert.True(seen["botresilience.threadpool.completed_items"] >= 1);

        monitor.Dispose();
        seen.Clear();
        listener.RecordObservableInstruments();
        Assert.False(seen.ContainsKey("botresilience.threadpool.lag")); // a disposed monitor is no longer reported
    }
}
