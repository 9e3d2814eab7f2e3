using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.Timeouts;

/// <summary>Instruments of the timeout strategy.</summary>
internal static class TimeoutMetrics
{
    internal static readonly Counter<long> Timeouts = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.timeout.timeouts", "{timeout}",
        "Executions rejected by a timeout (tag reason: elapsed | deadline — a retry gave up because its next delay would pass the timeout).");

    internal static void RecordTimeout(bool deadline)
    {
        if (Timeouts.Enabled)
        {
            Timeouts.Add(1, new KeyValuePair<string, object?>("reason", deadline ? "deadline" : "elapsed"));
        }
    }
}
