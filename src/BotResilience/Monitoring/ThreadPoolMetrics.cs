using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.Monitoring;

/// <summary>Thread-pool instruments: lag per running monitor, and the process-wide pool counts.</summary>
internal static class ThreadPoolMetrics
{
    private static readonly Lock s_lock = new();
    private static readonly List<ThreadPoolLagMonitor> s_monitors = [];

    private static readonly Counter<long> s_warnings = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.threadpool.lag_warnings", unit: "{warning}", description: "Probes whose thread-pool lag exceeded the warning threshold.");

    static ThreadPoolMetrics()
    {
        var meter = ResilienceTelemetry.Meter;
        meter.CreateObservableGauge("botresilience.threadpool.lag", static () => Observe(static m => m.CurrentLag), unit: "s",
            description: "How late work queued to the thread pool starts (latest probe, or the overdue pending probe).");
        meter.CreateObservableGauge("botresilience.threadpool.lag.max", static () => Observe(static m => m.MaxLag), unit: "s",
            description: "Largest thread-pool lag over the monitor's retained samples.");
        meter.CreateObservableGauge("botresilience.threadpool.threads", static () => ThreadPool.ThreadCount, unit: "{thread}",
            description: "Thread-pool threads that currently exist.");
        meter.CreateObservableGauge("botresilience.threadpool.queue_length", static () => ThreadPool.PendingWorkItemCount, unit: "{work_item}",
            description: "Work items queued to the thread pool and not yet started.");
        meter.CreateObservableCounter("botresilience.threadpool.completed_items", static () => ThreadPool.CompletedWorkItemCount, unit: "{work_item}",
            description: "Work items the thread pool has completed since the process started.");
    }

    public static void Register(ThreadPoolLagMonitor monitor)
    {
        lock (s_lock)
        {
            if (!s_monitors.Contains(monitor))
            {
                s_monitors.Add(monitor);
            }
        }
    }

    public static void Unregister(ThreadPoolLagMonitor monitor)
    {
        lock (s_lock)
        {
            s_monitors.Remove(monitor);
        }
    }

    public static void RecordWarning(string monitorName) =>
        s_warnings.Add(1, new KeyValuePair<string, object?>("monitor", monitorName));

    private static List<Measurement<double>> Observe(Func<ThreadPoolLagMonitor, TimeSpan> read)
    {
        lock (s_lock)
        {
            var result = new List<Measurement<double>>(s_monitors.Count);
            foreach (var monitor in s_monitors)
            {
                result.Add(new Measurement<double>(read(monitor).TotalSeconds, new KeyValuePair<string, object?>("monitor", monitor.Name)));
            }

            return result;
        }
    }
}
