using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.Pipelines;

/// <summary>Instruments of pipeline strategies that have no folder of their own.</summary>
internal static class PipelineMetrics
{
    internal const string RateLimiterStrategy = "rate_limiter";
    internal const string FloodGateStrategy = "flood_gate";

    internal static readonly Counter<long> Rejections = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.pipeline.rejections", "{rejection}",
        "Executions a pipeline strategy refused to run (tag strategy: rate_limiter | flood_gate; breakers and bulkheads count their own rejections).");

    internal static readonly Counter<long> Fallbacks = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.pipeline.fallbacks", "{fallback}", "Failures replaced by a fallback result.");

    internal static void RecordRejection(string strategy)
    {
        if (Rejections.Enabled)
        {
            Rejections.Add(1, new KeyValuePair<string, object?>("strategy", strategy));
        }
    }

    internal static void RecordFallback()
    {
        if (Fallbacks.Enabled)
        {
            Fallbacks.Add(1);
        }
    }
}
