using System.Diagnostics;
using BotResilience.SampleBot.Configuration;
using BotResilience.SampleBot.Hosting;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Storage;

namespace BotResilience.SampleBot.Demo;

/// <summary>Options of one demo run (beyond <see cref="SampleBotOptions"/>).</summary>
public sealed class DemoRunOptions
{
    /// <summary>How long the crowd keeps writing.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for late replies after the crowd stops.</summary>
    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Crowd think time (s).</summary>
    public (double Min, double Max) ThinkTime { get; set; } = (30, 80);

    /// <summary>Share of spammers.</summary>
    public double SpammerShare { get; set; } = 0.01;

    /// <summary>Admin script (fraction of the run, command).</summary>
    public IReadOnlyList<(double At, string Command)> AdminScript { get; set; } =
        [(0.30, "/broadcast Shop opens at 9:00 tomorrow"), (0.45, "/admin_mtproto off"), (0.60, "/admin_mtproto on")];

    /// <summary>Acknowledgement p95 bound for the summary check (seed 002's target: p95 &lt; 3 s).</summary>
    public TimeSpan AckP95Bound { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Console view (null = none).</summary>
    public ConsoleView? View { get; set; }

    /// <summary>Creates the platform (default: the in-process Bot API emulator).</summary>
    public Func<CancellationToken, Task<IChatPlatform>>? PlatformFactory { get; set; }

    /// <summary>Hooks passed to the app.</summary>
    public SampleBotHooks? Hooks { get; set; }
}

/// <summary>
/// Demo mode: the emulator, the bot in webhook mode against it, the crowd and the live view, then the summary.
/// Tests use the same entry with smaller numbers.
/// </summary>
public static class DemoRunner
{
    /// <summary>The simulated admin.</summary>
    public const long AdminUserId = 1;

    /// <summary>Runs one demo.</summary>
    /// <param name="options">Bot options (demo mode).</param>
    /// <param name="run">Run options.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    public static async Task<DemoSummary> RunAsync(SampleBotOptions options, DemoRunOptions run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(run);
        if (!options.AdminUserIds.Contains(AdminUserId))
        {
            options.AdminUserIds.Add(AdminUserId);
        }

        await using IChatPlatform platform = await (run.PlatformFactory ?? EmulatorPlatform.StartAsync)(cancellationToken);
        SampleBotApp app = await SampleBotApp.StartAsync(options, new BotConnection(platform.ApiBaseUrl, platform.Token, BotMode.Webhook, null), run.Hooks, cancellationToken);
        try
        {
            var crowd = new SimulatedCrowd(platform, new CrowdSettings(options.Users, run.ThinkTime, run.SpammerShare, AdminUserId, run.AdminScript));
            long start = Stopwatch.GetTimestamp();
            using var viewStop = new CancellationTokenSource();
            Task view = run.View?.RunAsync(() => Snapshot(app, platform, crowd, start), viewStop.Token) ?? Task.CompletedTask;
            CrowdReport report;
            try
            {
                report = await crowd.RunAsync(run.Duration, run.Settle, cancellationToken);
            }
            finally
            {
                await viewStop.CancelAsync();
                await view;
            }

            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (Environment.GetEnvironmentVariable("SAMPLE_DEBUG_429") == "1" && platform is EmulatorPlatform ep)
            {
                var calls = ep.Emulator.Calls;
                foreach (var g in calls.Where(c => c.StatusCode == 429).GroupBy(c => c.Parameters.TryGetValue("chat_id", out string? v) ? v : "?").OrderByDescending(g => g.Count()).Take(10))
                {
                    Console.WriteLine($"429 chat {g.Key}: {g.Count()} first at {g.First().ReceivedAt:HH:mm:ss.fff}; calls to chat {calls.Count(c => c.Parameters.TryGetValue("chat_id", out string? v) && v == g.Key)}");
                }

                var sends = calls.Where(c => c.Method == "sendMessage").Select(c => c.ReceivedTimestamp).OrderBy(t => t).ToArray();
                int maxPerSec = 0;
                for (int i = 0, j = 0; i < sends.Length; i++)
                {
                    while (Stopwatch.GetElapsedTime(sends[j], sends[i]) >= TimeSpan.FromSeconds(1)) { j++; }
                    maxPerSec = Math.Max(maxPerSec, i - j + 1);
                }

                Console.WriteLine($"sendMessage max per sliding second at the emulator: {maxPerSec}; 429 total {calls.Count(c => c.StatusCode == 429)}");
            }

            OrderCounts orders = await app.Store.GetOrderCountsAsync(CancellationToken.None);
            return BuildSummary(app, platform, report, orders, elapsed, run.AckP95Bound);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    internal static LiveSnapshot Snapshot(SampleBotApp app, IChatPlatform platform, SimulatedCrowd crowd, long start)
    {
        SampleMetrics m = app.Metrics;
        double[] lat = crowd.LatenciesSnapshot();
        return new LiveSnapshot(
            Stopwatch.GetElapsedTime(start),
            Interlocked.Read(ref m.UpdatesReceived),
            crowd.Commands,
            crowd.Acknowledged,
            LatencyMath.Percentile(lat, 50), LatencyMath.Percentile(lat, 95), LatencyMath.Percentile(lat, 99),
            platform.TooManyRequestsSent,
            Interlocked.Read(ref m.TooManyRequestsReachedApp),
            app.BotApiHandler.QueueLength,
            app.Facts.Bulkhead.CurrentCount, app.Facts.Bulkhead.QueueLength,
            app.Facts.Breaker.State.ToString(), app.Channels.BreakerState.ToString(), app.Channels.RemainingFloodWait,
            app.Lag.Current, app.Lag.Max,
            app.Watchdog.Silence, app.Watchdog.Fired,
            app.Workers.Select(w => w.Status).ToArray(),
            app.Orders.Running,
            Interlocked.Read(ref m.OrdersCreated), Interlocked.Read(ref m.OrdersDone), Interlocked.Read(ref m.OrdersFailed),
            app.Locations.ActiveSessions, app.Background.Count,
            Interlocked.Read(ref m.SpamWarnings), Interlocked.Read(ref m.BroadcastSent));
    }

    private static DemoSummary BuildSummary(SampleBotApp app, IChatPlatform platform, CrowdReport r, OrderCounts orders, double elapsed, TimeSpan p95Bound)
    {
        SampleMetrics m = app.Metrics;
        double p99 = LatencyMath.Percentile(r.AckLatenciesMs, 99);
        double p95 = LatencyMath.Percentile(r.AckLatenciesMs, 95);
        long app429 = Interlocked.Read(ref m.TooManyRequestsReachedApp);
        long unobserved = Interlocked.Read(ref m.UnobservedExceptions);
        return new DemoSummary
        {
            Users = r.Users,
            DurationSeconds = elapsed,
            Updates = Interlocked.Read(ref m.UpdatesReceived),
            Commands = r.Commands,
            Acknowledged = r.Acknowledged,
            Unanswered = r.Unanswered,
            P50Ms = LatencyMath.Percentile(r.AckLatenciesMs, 50),
            P95Ms = LatencyMath.Percentile(r.AckLatenciesMs, 95),
            P99Ms = p99,
            MaxMs = r.AckLatenciesMs.Count == 0 ? 0 : r.AckLatenciesMs.Max(),
            TooManyRequestsFromPlatform = platform.TooManyRequestsSent,
            TooManyRequestsReachedApp = app429,
            RepliesSent = Interlocked.Read(ref m.RepliesSent),
            SpamBursts = r.SpamBursts,
            SpamWarnings = Interlocked.Read(ref m.SpamWarnings),
            Orders = (Interlocked.Read(ref m.OrdersCreated), orders.Done, orders.Failed, orders.Pending + orders.Running),
            Facts = (Interlocked.Read(ref m.FactsDelivered), Interlocked.Read(ref m.FactsOverloaded), Interlocked.Read(ref m.FactCacheHits), app.Ai.MaxInFlight),
            Channels = (Interlocked.Read(ref m.ChannelsRequests), Interlocked.Read(ref m.ChannelsFallbacks), Interlocked.Read(ref m.MTProtoFloodWaits)),
            Locations = (Interlocked.Read(ref m.LocationSessionsStarted), Interlocked.Read(ref m.LocationSessionsRejected), Interlocked.Read(ref m.LocationUpdatesProcessed)),
            Broadcast = (Interlocked.Read(ref m.BroadcastSent), Interlocked.Read(ref m.BroadcastFailed)),
            Handlers = (Interlocked.Read(ref m.HandlerTimeouts), Interlocked.Read(ref m.HandlerErrors)),
            LagMaxMs = app.Lag.Max.TotalMilliseconds,
            UnobservedExceptions = unobserved,
            WatchdogFired = Interlocked.Read(ref m.WatchdogFired),
            DuplicatesDropped = Interlocked.Read(ref m.DuplicateUpdates),
            Checks =
            [
                ("every command answered", r.Commands == r.Acknowledged, $"{r.Acknowledged}/{r.Commands}"),
                ($"ack p95 < {p95Bound.TotalMilliseconds:F0} ms", p95 < p95Bound.TotalMilliseconds, $"{p95:F0} ms (p99 {p99:F0} ms)"),
                ("zero 429s reached the application", app429 == 0, $"{app429}"),
                ("AI concurrency ≤ bulkhead", app.Ai.MaxInFlight <= app.Options.FactsConcurrency, $"{app.Ai.MaxInFlight} ≤ {app.Options.FactsConcurrency}"),
                ("no unobserved exceptions", unobserved == 0, $"{unobserved}"),
            ],
        };
    }
}
