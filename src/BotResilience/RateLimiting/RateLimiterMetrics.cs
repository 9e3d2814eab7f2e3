using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using BotResilience.Telemetry;

namespace BotResilience.RateLimiting;

/// <summary>
/// Rate-limiter instruments on <see cref="ResilienceTelemetry.Meter"/>. Tags: <c>limiter</c> (the options'
/// <c>Name</c>, or the kind), <c>kind</c> and, for rejections, <c>outcome</c> (<c>throttled</c> / <c>queue_full</c>).
/// Nothing is recorded (or computed) while no listener enabled an instrument.
/// </summary>
internal static class RateLimiterMetrics
{
    /// <summary>Granted acquisitions (immediate or after queueing).</summary>
    public static readonly Counter<long> Grants = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.ratelimiter.grants", unit: "{acquisition}", description: "Rate-limiter acquisitions that were granted.");

    /// <summary>Refused acquisitions.</summary>
    public static readonly Counter<long> Rejections = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.ratelimiter.rejections", unit: "{acquisition}", description: "Rate-limiter acquisitions that were refused (throttled or queue full).");

    /// <summary>Time queued waiters spent in the queue before being granted.</summary>
    public static readonly Histogram<double> QueueWait = ResilienceTelemetry.Meter.CreateHistogram<double>(
        "botresilience.ratelimiter.queue_wait", unit: "s", description: "Time AcquireAsync callers waited in the queue before being granted.");

    private static readonly KeyValuePair<string, object?> ThrottledTag = new("outcome", "throttled");
    private static readonly KeyValuePair<string, object?> QueueFullTag = new("outcome", "queue_full");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Record(LimiterDefinition definition, RateLimitOutcome outcome)
    {
        if (outcome == RateLimitOutcome.Granted)
        {
            if (Grants.Enabled)
            {
                Grants.Add(1, definition.NameTag, definition.KindTag);
            }
        }
        else if (Rejections.Enabled)
        {
            Rejections.Add(1, definition.NameTag, definition.KindTag, outcome == RateLimitOutcome.Throttled ? ThrottledTag : QueueFullTag);
        }
    }

    public static void RecordQueuedGrant(LimiterDefinition definition, TimeSpan waited)
    {
        if (Grants.Enabled)
        {
            Grants.Add(1, definition.NameTag, definition.KindTag);
        }

        if (QueueWait.Enabled)
        {
            QueueWait.Record(waited.TotalSeconds, definition.NameTag, definition.KindTag);
        }
    }
}
