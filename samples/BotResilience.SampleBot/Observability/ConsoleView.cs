using System.Globalization;
using BotResilience.SampleBot.Hosting;
using Spectre.Console;

namespace BotResilience.SampleBot.Observability;

/// <summary>One frame of the live view.</summary>
public sealed record LiveSnapshot(
    TimeSpan Elapsed, long Updates, long Commands, long Acknowledged, double P50, double P95, double P99,
    long Platform429, long App429, int BotApiQueue, int AiRunning, int AiQueued, string FactsBreaker, string MTProtoBreaker, TimeSpan FloodWait,
    TimeSpan Lag, TimeSpan LagMax, TimeSpan WatchdogSilence, int WatchdogFired, IReadOnlyList<WorkerStatus> Workers,
    int OrdersRunning, long OrdersCreated, long OrdersDone, long OrdersFailed, int LocationSessions, int BackgroundTasks, long SpamWarnings, long BroadcastSent);

/// <summary>
/// Live console view: a Spectre.Console table on an interactive terminal, plain periodic lines when output is
/// redirected or CI=true.
/// </summary>
public sealed class ConsoleView
{
    private readonly bool _live;
    private readonly TimeSpan _plainEvery;

    /// <summary>Creates the view.</summary>
    /// <param name="mode">auto, live, plain.</param>
    /// <param name="plainEvery">Interval of plain lines.</param>
    public ConsoleView(string mode, TimeSpan? plainEvery = null)
    {
        bool nonInteractive = System.Console.IsOutputRedirected || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        _live = mode == "live" || (mode == "auto" && !nonInteractive);
        _plainEvery = plainEvery ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>Whether the Spectre live table is used.</summary>
    public bool IsLive => _live;

    /// <summary>Renders until cancelled.</summary>
    /// <param name="snapshot">Frame source.</param>
    /// <param name="cancellationToken">Stop.</param>
    public async Task RunAsync(Func<LiveSnapshot> snapshot, CancellationToken cancellationToken)
    {
        if (_live)
        {
            await AnsiConsole.Live(Render(snapshot(), 0)).AutoClear(false).StartAsync(async ctx =>
            {
                long lastUpdates = 0;
                while (!cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(500, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    LiveSnapshot s = snapshot();
                    ctx.UpdateTarget(Render(s, (s.Updates - lastUpdates) * 2));
                    lastUpdates = s.Updates;
                }
            });
            return;
        }

        long previous = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_plainEvery, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            LiveSnapshot s = snapshot();
            double rate = (s.Updates - previous) / _plainEvery.TotalSeconds;
            previous = s.Updates;
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{s.Elapsed.TotalSeconds,5:F0}s] updates {s.Updates} ({rate:F0}/s) acked {s.Acknowledged}/{s.Commands} p50 {s.P50:F0} p95 {s.P95:F0} p99 {s.P99:F0} ms | 429 emu {s.Platform429} app {s.App429} | queue {s.BotApiQueue} | AI {s.AiRunning}+{s.AiQueued} {s.FactsBreaker} | mtproto {s.MTProtoBreaker} | lag {s.Lag.TotalMilliseconds:F0} ms | orders {s.OrdersDone}/{s.OrdersCreated} done {s.OrdersFailed} failed | watchdog {s.WatchdogSilence.TotalSeconds:F1}s"));
        }
    }

    private static Table Render(LiveSnapshot s, long updatesPerSecond)
    {
        CultureInfo ci = CultureInfo.InvariantCulture;
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]BotResilience sample bot[/] — {s.Elapsed.TotalSeconds:F0} s").AddColumn("what").AddColumn("now");
        t.AddRow("updates", string.Create(ci, $"{s.Updates} total, {updatesPerSecond}/s"));
        t.AddRow("commands acknowledged", string.Create(ci, $"{s.Acknowledged} / {s.Commands}"));
        t.AddRow("reply latency p50 / p95 / p99", string.Create(ci, $"{s.P50:F0} / {s.P95:F0} / {s.P99:F0} ms"));
        t.AddRow("429s (emulator / reached app)", string.Create(ci, $"{s.Platform429} / [{(s.App429 == 0 ? "green" : "red")}]{s.App429}[/]"));
        t.AddRow("Bot API queue", s.BotApiQueue.ToString(ci));
        t.AddRow("AI bulkhead (running + queued)", string.Create(ci, $"{s.AiRunning} + {s.AiQueued}, breaker {s.FactsBreaker}"));
        t.AddRow("MTProto", string.Create(ci, $"breaker {s.MTProtoBreaker}, flood wait {s.FloodWait.TotalSeconds:F1} s"));
        t.AddRow("thread-pool lag", string.Create(ci, $"{s.Lag.TotalMilliseconds:F0} ms (max {s.LagMax.TotalMilliseconds:F0} ms)"));
        t.AddRow("watchdog", string.Create(ci, $"silence {s.WatchdogSilence.TotalSeconds:F1} s, fired {s.WatchdogFired}"));
        t.AddRow("workers", string.Join(", ", s.Workers.Select(w => string.Create(ci, $"{w.Name}: {w.Iterations} it, {w.Timeouts} timeouts{(w.Running ? " (running)" : string.Empty)}"))));
        t.AddRow("orders", string.Create(ci, $"{s.OrdersCreated} created, {s.OrdersRunning} running, {s.OrdersDone} done, {s.OrdersFailed} failed"));
        t.AddRow("live locations / background tasks", string.Create(ci, $"{s.LocationSessions} / {s.BackgroundTasks}"));
        t.AddRow("spam warnings / broadcast sent", string.Create(ci, $"{s.SpamWarnings} / {s.BroadcastSent}"));
        return t;
    }
}
