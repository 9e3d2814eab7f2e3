using BenchmarkDotNet.Attributes;
using BotResilience.Monitoring;

namespace BotResilience.Benchmarks.Monitoring;

/// <summary>
/// Cost of the monitoring hot paths: one lag-monitor tick (timer callback + probe body: record the sample,
/// re-arm the timer; the probe runs inline instead of on the pool so only the monitor's own work is measured),
/// one heartbeat, and the read side (percentile, watchdog check).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Monitoring")]
public class MonitoringBenchmarks
{
    private ThreadPoolLagMonitor _monitor = null!;
    private Watchdog _watchdog = null!;
    private LivenessSource _source = null!;

    [GlobalSetup]
    public void Setup()
    {
        // An interval of one hour: the real timer never fires during the run; the benchmark drives the ticks.
        _monitor = new ThreadPoolLagMonitor(new ThreadPoolLagMonitorOptions { Interval = TimeSpan.FromHours(1), SampleCount = 60 });
        _monitor.QueueOverride = static item => item.Execute();
        _monitor.Start();
        for (var i = 0; i < 60; i++)
        {
            _monitor.OnTimer();
        }

        _watchdog = new Watchdog(new WatchdogOptions { GracePeriod = TimeSpan.Zero });
        _source = _watchdog.Register("webhook", TimeSpan.FromSeconds(180));
        for (var i = 0; i < 9; i++)
        {
            _watchdog.Register("worker-" + i, TimeSpan.FromSeconds(180)).Beat();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _monitor.Dispose();
        _watchdog.Dispose();
    }

    [Benchmark(Description = "ThreadPoolLagMonitor tick (timer callback + probe)")]
    public void LagMonitorTick() => _monitor.OnTimer();

    [Benchmark(Description = "LivenessSource.Beat()")]
    public void LivenessSourceBeat() => _source.Beat();

    [Benchmark(Description = "Watchdog.Beat(name)")]
    public void WatchdogBeatByName() => _watchdog.Beat("webhook");

    [Benchmark(Description = "ThreadPoolLagMonitor.Percentile(99), 60 samples")]
    public TimeSpan Percentile99() => _monitor.Percentile(99);

    [Benchmark(Description = "Watchdog.Check(), 10 sources")]
    public WatchdogStatus WatchdogCheck() => _watchdog.Check();
}
