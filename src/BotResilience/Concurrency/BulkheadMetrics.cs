using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.Concurrency;

/// <summary>
/// Instruments of the priority bulkheads, on <see cref="ResilienceTelemetry.Meter"/>. Counters and the histogram
/// are only touched when a listener enabled them; the gauges are only computed when observed.
/// </summary>
internal static class BulkheadMetrics
{
    /// <summary>Rejected acquisitions; tags <c>name</c>, <c>priority</c>, <c>reason</c> (<c>queue_full</c> or <c>no_free_slot</c>).</summary>
    public static readonly Counter<long> Rejections = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.bulkhead.rejections", "{call}", "Acquisitions rejected by a bulkhead (queue full, or no free slot for TryAcquire).");

    /// <summary>Time from the acquisition request to the grant (0 when a slot was free); tags <c>name</c>, <c>priority</c>.</summary>
    public static readonly Histogram<double> WaitTime = ResilienceTelemetry.Meter.CreateHistogram<double>(
        "botresilience.bulkhead.wait_time", "s", "Time callers waited for a bulkhead slot.");

    private const int BoxedPriorityMin = -16;
    private static readonly object[] s_boxedPriorities = [.. Enumerable.Range(BoxedPriorityMin, 80).Select(static p => (object)p)];
    private static readonly Lock s_lock = new();
    private static readonly List<WeakReference<PriorityBulkhead>> s_bulkheads = [];

    /// <summary>Waiting callers per live bulkhead; tag <c>name</c>.</summary>
    public static readonly ObservableGauge<int> QueueLength = ResilienceTelemetry.Meter.CreateObservableGauge(
        "botresilience.bulkhead.queue_length", static () => Observe(static b => b.QueueLength), "{call}", "Callers waiting for a bulkhead slot.");

    /// <summary>Held slots per live bulkhead; tag <c>name</c>.</summary>
    public static readonly ObservableGauge<int> Active = ResilienceTelemetry.Meter.CreateObservableGauge(
        "botresilience.bulkhead.active", static () => Observe(static b => b.CurrentCount), "{call}", "Bulkhead slots currently held.");

    public static void Track(PriorityBulkhead bulkhead)
    {
        lock (s_lock)
        {
            if (s_bulkheads.Count >= 64)
            {
                s_bulkheads.RemoveAll(static r => !r.TryGetTarget(out _));
            }

            s_bulkheads.Add(new WeakReference<PriorityBulkhead>(bulkhead));
        }
    }

    public static void RecordWait(string name, int priority, TimeSpan wait)
    {
        if (WaitTime.Enabled)
        {
            WaitTime.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("name", name), new KeyValuePair<string, object?>("priority", Box(priority)));
        }
    }

    public static void RecordRejection(string name, int priority, bool queued)
    {
        if (Rejections.Enabled)
        {
            Rejections.Add(
                1,
                new KeyValuePair<string, object?>("name", name),
                new KeyValuePair<string, object?>("priority", Box(priority)),
                new KeyValuePair<string, object?>("reason", queued ? "queue_full" : "no_free_slot"));
        }
    }

    // Priorities -16..63 are tagged without boxing (no allocation per measurement while a listener is on).
    private static object Box(int priority) =>
        (uint)(priority - BoxedPriorityMin) < (uint)s_boxedPriorities.Length ? s_boxedPriorities[priority - BoxedPriorityMin] : priority;

    private static List<Measurement<int>> Observe(Func<PriorityBulkhead, int> value)
    {
        List<Measurement<int>> measurements = [];
        lock (s_lock)
        {
            s_bulkheads.RemoveAll(r =>
            {
                if (!r.TryGetTarget(out var bulkhead))
                {
                    return true;
                }

                measurements.Add(new Measurement<int>(value(bulkhead), new KeyValuePair<string, object?>("name", bulkhead.Name)));
                return false;
            });
        }

        return measurements;
    }
}
