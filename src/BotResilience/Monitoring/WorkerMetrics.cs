using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.Monitoring;

/// <summary>Supervised-worker instruments.</summary>
internal static class WorkerMetrics
{
    private static readonly Counter<long> s_iterations = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.worker.iterations", unit: "{iteration}", description: "Supervised worker iterations that ended (tags: worker, outcome).");

    private static readonly Histogram<double> s_duration = ResilienceTelemetry.Meter.CreateHistogram<double>(
        "botresilience.worker.iteration.duration", unit: "s", description: "Duration of supervised worker iterations (tags: worker, outcome).");

    public static void RecordIteration(string worker, WorkerIterationOutcome outcome, TimeSpan duration)
    {
        if (!s_iterations.Enabled && !s_duration.Enabled)
        {
            return;
        }

        var workerTag = new KeyValuePair<string, object?>("worker", worker);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", OutcomeName(outcome));
        s_iterations.Add(1, workerTag, outcomeTag);
        s_duration.Record(duration.TotalSeconds, workerTag, outcomeTag);
    }

    private static string OutcomeName(WorkerIterationOutcome outcome) => outcome switch
    {
        WorkerIterationOutcome.Succeeded => "succeeded",
        WorkerIterationOutcome.Failed => "failed",
        WorkerIterationOutcome.TimedOut => "timed_out",
        _ => "cancelled",
    };
}
