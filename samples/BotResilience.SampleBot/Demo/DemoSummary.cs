using System.Globalization;
using System.Text;

namespace BotResilience.SampleBot.Demo;

/// <summary>The figures of one demo run.</summary>
public sealed record DemoSummary
{
    /// <summary>Simulated users.</summary>
    public int Users { get; init; }

    /// <summary>Run time (s).</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Updates the bot received.</summary>
    public long Updates { get; init; }

    /// <summary>Updates per second.</summary>
    public double UpdatesPerSecond => DurationSeconds > 0 ? Updates / DurationSeconds : 0;

    /// <summary>Commands that expect an acknowledgement.</summary>
    public long Commands { get; init; }

    /// <summary>Commands acknowledged.</summary>
    public long Acknowledged { get; init; }

    /// <summary>Unanswered commands (samples).</summary>
    public IReadOnlyList<string> Unanswered { get; init; } = [];

    /// <summary>Acknowledgement p50 (ms).</summary>
    public double P50Ms { get; init; }

    /// <summary>p95 (ms).</summary>
    public double P95Ms { get; init; }

    /// <summary>p99 (ms).</summary>
    public double P99Ms { get; init; }

    /// <summary>Max (ms).</summary>
    public double MaxMs { get; init; }

    /// <summary>429s the emulator handed out.</summary>
    public long TooManyRequestsFromPlatform { get; init; }

    /// <summary>429s that reached the application (the handler gave up).</summary>
    public long TooManyRequestsReachedApp { get; init; }

    /// <summary>Messages sent by the bot.</summary>
    public long RepliesSent { get; init; }

    /// <summary>Spam bursts.</summary>
    public long SpamBursts { get; init; }

    /// <summary>Spam warnings received.</summary>
    public long SpamWarnings { get; init; }

    /// <summary>Orders created / done / failed / still open.</summary>
    public (long Created, int Done, int Failed, int Open) Orders { get; init; }

    /// <summary>Facts delivered / overloaded / cache hits.</summary>
    public (long Delivered, long Overloaded, long CacheHits, int MaxAiConcurrency) Facts { get; init; }

    /// <summary>Channels requests / fallbacks / flood waits.</summary>
    public (long Requests, long Fallbacks, long FloodWaits) Channels { get; init; }

    /// <summary>Live-location sessions started / rejected, updates processed.</summary>
    public (long Started, long Rejected, long Processed) Locations { get; init; }

    /// <summary>Broadcast sent / failed.</summary>
    public (long Sent, long Failed) Broadcast { get; init; }

    /// <summary>Handler timeouts and errors.</summary>
    public (long Timeouts, long Errors) Handlers { get; init; }

    /// <summary>Thread-pool lag max (ms).</summary>
    public double LagMaxMs { get; init; }

    /// <summary>Unobserved task exceptions.</summary>
    public long UnobservedExceptions { get; init; }

    /// <summary>Watchdog firings.</summary>
    public long WatchdogFired { get; init; }

    /// <summary>Duplicate updates dropped.</summary>
    public long DuplicatesDropped { get; init; }

    /// <summary>Service-level checks: name, passed, detail.</summary>
    public IReadOnlyList<(string Check, bool Passed, string Detail)> Checks { get; init; } = [];

    /// <summary>Whether all checks passed.</summary>
    public bool Clean => Checks.All(c => c.Passed);

    /// <summary>Plain-text rendering.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        CultureInfo ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"BotResilience sample bot: demo summary");
        sb.AppendLine(ci, $"  users {Users}, duration {DurationSeconds:F1} s, updates {Updates} ({UpdatesPerSecond:F1}/s), bot messages {RepliesSent}");
        sb.AppendLine(ci, $"  commands {Commands}, acknowledged {Acknowledged}, unanswered {Commands - Acknowledged}");
        sb.AppendLine(ci, $"  ack latency p50 {P50Ms:F0} ms, p95 {P95Ms:F0} ms, p99 {P99Ms:F0} ms, max {MaxMs:F0} ms");
        sb.AppendLine(ci, $"  429s: emulator sent {TooManyRequestsFromPlatform}, reached the app {TooManyRequestsReachedApp}");
        sb.AppendLine(ci, $"  spam: {SpamBursts} bursts, {SpamWarnings} warnings");
        sb.AppendLine(ci, $"  orders: {Orders.Created} created, {Orders.Done} done, {Orders.Failed} failed, {Orders.Open} still open");
        sb.AppendLine(ci, $"  facts: {Facts.Delivered} delivered, {Facts.CacheHits} cache hits, {Facts.Overloaded} overloaded, AI concurrency max {Facts.MaxAiConcurrency}");
        sb.AppendLine(ci, $"  channels: {Channels.Requests} requests, {Channels.Fallbacks} from cache, {Channels.FloodWaits} FLOOD_WAIT");
        sb.AppendLine(ci, $"  live locations: {Locations.Started} sessions, {Locations.Rejected} refused (cap), {Locations.Processed} updates processed");
        sb.AppendLine(ci, $"  broadcast: {Broadcast.Sent} sent, {Broadcast.Failed} failed");
        sb.AppendLine(ci, $"  handlers: {Handlers.Timeouts} timeouts, {Handlers.Errors} errors; duplicates dropped {DuplicatesDropped}");
        sb.AppendLine(ci, $"  thread-pool lag max {LagMaxMs:F0} ms, unobserved exceptions {UnobservedExceptions}, watchdog fired {WatchdogFired}");
        foreach ((string check, bool passed, string detail) in Checks)
        {
            sb.AppendLine(ci, $"  [{(passed ? "PASS" : "FAIL")}] {check}: {detail}");
        }

        return sb.ToString();
    }
}
