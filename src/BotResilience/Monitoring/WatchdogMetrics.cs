using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.Monitoring;

/// <summary>Watchdog instruments.</summary>
internal static class WatchdogMetrics
{
    private static readonly Counter<long> s_stale = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.watchdog.stale", unit: "{event}", description: "Liveness sources that went stale (tags: source, action).");

    public static void RecordStale(string source, WatchdogAction action) =>
        s_stale.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("action", action.ToString()));
}
