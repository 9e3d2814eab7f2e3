using System.Diagnostics;
using BotResilience.Monitoring;

namespace BotResilience.Tests.Monitoring;

[Collection(MonitoringIntegrationCollection.Name)]
public sealed class ThreadPoolLagIntegrationTests
{
    [Fact]
    public void Detects_real_thread_pool_starvation()
    {
        using var monitor = new ThreadPoolLagMonitor(new ThreadPoolLagMonitorOptions { Interval = TimeSpan.FromMilliseconds(50), WarningThreshold = TimeSpan.FromMilliseconds(200) });
        var warnings = 0;
        monitor.LagThresholdExceeded += (_, _) => Interlocked.Increment(ref warnings);
        monitor.Start();
        WaitUntil(() => monitor.TotalSamples >= 3, TimeSpan.FromSeconds(5));

        // Occupy every pool thread (and the ones the pool injects meanwhile) with blocking work, as
        // sync-over-async handlers would. The probe is queued behind them.
        using var release = new ManualResetEventSlim();
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        var blockers = Math.Max(ThreadPool.ThreadCount, minWorkers) + 64;
        var started = 0;
        for (var i = 0; i < blockers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem<object?>(
                _ =>
                {
                    Interlocked.Increment(ref started);
                    release.Wait(TimeSpan.FromSeconds(8));
                },
                null,
                preferLocal: false);
        }

        var samplesBefore = monitor.TotalSamples;
        Thread.Sleep(1500);
        var lagWhileBlocked = monitor.CurrentLag; // the probe is overdue and reported before it runs
        release.Set();
        WaitUntil(() => monitor.TotalSamples > samplesBefore + 1 && Volatile.Read(ref started) == blockers, TimeSpan.FromSeconds(8));

        Assert.True(lagWhileBlocked > TimeSpan.FromMilliseconds(200), $"lag while blocked: {lagWhileBlocked.TotalMilliseconds} ms");
        Assert.True(monitor.MaxLag > TimeSpan.FromMilliseconds(200), $"max lag: {monitor.MaxLag.TotalMilliseconds} ms");
        Assert.True(Volatile.Read(ref warnings) >= 1);
    }

    [Fact]
    public void Reports_near_zero_lag_on_an_idle_pool()
    {
        using var monitor = new ThreadPoolLagMonitor(new ThreadPoolLagMonitorOptions { Interval = TimeSpan.FromMilliseconds(20), SampleCount = 50 });
        monitor.Start();
        WaitUntil(() => monitor.TotalSamples >= 40, TimeSpan.FromSeconds(8));
        var p50 = monitor.Percentile(50);
        Assert.True(p50 < TimeSpan.FromMilliseconds(50), $"p50 on an idle pool: {p50.TotalMilliseconds} ms");
    }

    private static void WaitUntil(Func<bool> condition, TimeSpan bound)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < bound, "condition not reached in time");
            Thread.Sleep(10);
        }
    }
}
