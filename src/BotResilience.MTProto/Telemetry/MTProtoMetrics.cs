using System.Diagnostics.Metrics;
using BotResilience.MTProto.Classification;

namespace BotResilience.MTProto.Telemetry;

/// <summary>Instruments of the MTProto adapter, on its own <see cref="Meter"/> named <c>BotResilience</c>.</summary>
internal static class MTProtoMetrics
{
    public const string MeterName = "BotResilience";

    public static readonly Meter Meter = new(MeterName, typeof(MTProtoMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> FloodWaits = Meter.CreateCounter<long>(
        "botresilience.mtproto.flood_waits", "{wait}", "Flood waits and transport floods received from Telegram.");

    public static readonly Histogram<double> FloodWaitDuration = Meter.CreateHistogram<double>(
        "botresilience.mtproto.flood_wait.duration", "s", "Pauses imposed on sessions by flood waits and transport floods.");

    public static readonly Counter<long> Invocations = Meter.CreateCounter<long>(
        "botresilience.mtproto.invocations", "{invocation}", "MTProto invocations by outcome.");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "botresilience.mtproto.retries", "{retry}", "Retries of MTProto calls by error kind.");

    public static readonly Counter<long> BreakerRejections = Meter.CreateCounter<long>(
        "botresilience.mtproto.breaker.rejections", "{rejection}", "Invocations rejected because the session's circuit was open or isolated.");

    public static void RecordFloodWait(string session, string? method, MTProtoErrorKind kind, string? name, TimeSpan pause)
    {
        if (FloodWaits.Enabled)
        {
            FloodWaits.Add(
                1,
                new KeyValuePair<string, object?>("session", session),
                new KeyValuePair<string, object?>("method", method ?? "unknown"),
                new KeyValuePair<string, object?>("kind", KindTag(kind)),
                new KeyValuePair<string, object?>("error", name));
        }

        if (FloodWaitDuration.Enabled)
        {
            FloodWaitDuration.Record(
                pause.TotalSeconds,
                new KeyValuePair<string, object?>("method", method ?? "unknown"),
                new KeyValuePair<string, object?>("kind", KindTag(kind)));
        }
    }

    public static void RecordInvocation(string session, string? method, string outcome, bool fallback)
    {
        if (Invocations.Enabled)
        {
            Invocations.Add(
                1,
                new KeyValuePair<string, object?>("session", session),
                new KeyValuePair<string, object?>("method", method ?? "unknown"),
                new KeyValuePair<string, object?>("outcome", outcome),
                new KeyValuePair<string, object?>("fallback", fallback));
        }
    }

    public static void RecordRetry(string session, string? method, MTProtoErrorKind kind)
    {
        if (Retries.Enabled)
        {
            Retries.Add(
                1,
                new KeyValuePair<string, object?>("session", session),
                new KeyValuePair<string, object?>("method", method ?? "unknown"),
                new KeyValuePair<string, object?>("kind", KindTag(kind)));
        }
    }

    public static void RecordBreakerRejection(string session, string? method)
    {
        if (BreakerRejections.Enabled)
        {
            BreakerRejections.Add(
                1,
                new KeyValuePair<string, object?>("session", session),
                new KeyValuePair<string, object?>("method", method ?? "unknown"));
        }
    }

    private static string KindTag(MTProtoErrorKind kind) => kind switch
    {
        MTProtoErrorKind.FloodWait => "flood_wait",
        MTProtoErrorKind.TransportFlood => "transport_flood",
        MTProtoErrorKind.PeerFlood => "peer_flood",
        MTProtoErrorKind.Other => "rpc_error",
        _ => "error",
    };
}
