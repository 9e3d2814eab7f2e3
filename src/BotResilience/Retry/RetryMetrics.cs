using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.Retry;

/// <summary>Instruments of the retry strategy and the flood gate.</summary>
/// <remarks>
/// Scopes are tagged by kind only (the part before the first ':' — <c>chat:123</c> → <c>chat</c>) so chat ids never
/// become metric dimensions.
/// </remarks>
internal static class RetryMetrics
{
    internal const string ScopeKindTag = "scope.kind";

    internal static readonly Counter<long> GatePauses = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.floodgate.pauses", "{pause}", "Pauses that moved a flood-gate scope's deadline later.");

    internal static readonly Histogram<double> GatePauseDuration = ResilienceTelemetry.Meter.CreateHistogram<double>(
        "botresilience.floodgate.pause.duration", "s", "Requested duration of flood-gate pauses that moved a deadline.");

    internal static readonly Counter<long> Retries = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.retry.retries", "{retry}", "Retries scheduled by retry strategies (tag flood_wait: true when a server-given wait was honoured).");

    internal static readonly Counter<long> FloodWaits = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.retry.flood_waits", "{wait}", "Server-given flood waits seen by retry strategies (tag outcome: waited | failed_fast).");

    internal static readonly Histogram<double> FloodWaitDuration = ResilienceTelemetry.Meter.CreateHistogram<double>(
        "botresilience.retry.flood_wait.duration", "s", "Server-given flood waits seen by retry strategies.");

    internal static string ScopeKind(string? scope)
    {
        if (scope is null)
        {
            return "none";
        }

        var colon = scope.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? scope : scope[..colon];
    }

    internal static void RecordGatePause(string scope, TimeSpan duration)
    {
        if (!GatePauses.Enabled && !GatePauseDuration.Enabled)
        {
            return;
        }

        var tag = new KeyValuePair<string, object?>(ScopeKindTag, ScopeKind(scope));
        GatePauses.Add(1, tag);
        GatePauseDuration.Record(duration.TotalSeconds, tag);
    }

    internal static void RecordRetry(bool floodWait)
    {
        if (Retries.Enabled)
        {
            Retries.Add(1, new KeyValuePair<string, object?>("flood_wait", floodWait));
        }
    }

    internal static void RecordFloodWait(string? scope, TimeSpan wait, bool failedFast)
    {
        if (!FloodWaits.Enabled && !FloodWaitDuration.Enabled)
        {
            return;
        }

        var kind = new KeyValuePair<string, object?>(ScopeKindTag, ScopeKind(scope));
        FloodWaits.Add(1, kind, new KeyValuePair<string, object?>("outcome", failedFast ? "failed_fast" : "waited"));
        FloodWaitDuration.Record(wait.TotalSeconds, kind);
    }
}
