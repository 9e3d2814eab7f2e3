using System.Diagnostics.Metrics;

namespace BotResilience.PostgreSql.Telemetry;

/// <summary>
/// Instruments of the PostgreSQL package, on a meter named <c>BotResilience</c> like the core's:
/// <c>botresilience.postgresql.round_trip</c> (histogram, s; tag <c>operation</c>),
/// <c>botresilience.postgresql.outages</c> (counter; tag <c>component</c>: failed round trips that switched
/// to the fallback) and <c>botresilience.postgresql.fallback_decisions</c> (counter; tag <c>component</c>:
/// decisions taken locally while the database was unavailable).
/// </summary>
internal static class PostgreSqlMetrics
{
    private static readonly Meter Meter = new("BotResilience", typeof(PostgreSqlMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<double> RoundTrip =
        Meter.CreateHistogram<double>("botresilience.postgresql.round_trip", "s", "Duration of one database round trip.");

    private static readonly Counter<long> Outages =
        Meter.CreateCounter<long>("botresilience.postgresql.outages", "{failure}", "Round trips that failed because the database was unreachable.");

    private static readonly Counter<long> FallbackDecisions =
        Meter.CreateCounter<long>("botresilience.postgresql.fallback_decisions", "{decision}", "Decisions taken by the local fallback while the database was unavailable.");

    public static void RecordRoundTrip(string operation, TimeSpan elapsed)
    {
        if (RoundTrip.Enabled)
        {
            RoundTrip.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
        }
    }

    public static void RecordOutage(string component)
    {
        if (Outages.Enabled)
        {
            Outages.Add(1, new KeyValuePair<string, object?>("component", component));
        }
    }

    public static void RecordFallback(string component)
    {
        if (FallbackDecisions.Enabled)
        {
            FallbackDecisions.Add(1, new KeyValuePair<string, object?>("component", component));
        }
    }
}
