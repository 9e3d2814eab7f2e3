using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using BotResilience.Retry;
using BotResilience.SampleBot.Configuration;
using BotResilience.SampleBot.Features;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Orders;
using BotResilience.SampleBot.Simulation;
using BotResilience.SampleBot.Storage;
using BotResilience.SampleBot.Telegram;
using BotResilience.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Hosting;

/// <summary>Where the bot talks to and how it receives updates.</summary>
/// <param name="ApiBaseUrl">Bot API base address.</param>
/// <param name="Token">Bot token.</param>
/// <param name="Receive">Webhook or polling.</param>
/// <param name="PublicBaseUrl">Public base address for setWebhook; null = the bound loopback address (demo).</param>
public sealed record BotConnection(string ApiBaseUrl, string Token, BotMode Receive, string? PublicBaseUrl);

/// <summary>Test and demo hooks.</summary>
public sealed class SampleBotHooks
{
    /// <summary>Called when the watchdog fires (in addition to the configured action; "exit" is replaced by this when set).</summary>
    public Action<TimeSpan>? OnWatchdogFired { get; set; }

    /// <summary>Logger factory (default: console at Warning, or nothing with the live view).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Clock (default system).</summary>
    public TimeProvider? TimeProvider { get; set; }
}

/// <summary>
/// The whole sample bot in one object: storage, outgoing Bot API pipeline, update intake, features, workers,
/// monitoring and its own Kestrel (webhook, /health/live, /health/ready, /metrics). Start it with
/// <see cref="StartAsync"/>; the console program and the tests use the same entry.
/// </summary>
public sealed class SampleBotApp : IAsyncDisposable
{
    /// <summary>Webhook path.</summary>
    public const string WebhookPath = "/telegram/webhook";

    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _web;
    private Task? _polling;
    private bool _stopped;

    private SampleBotApp(SampleBotOptions options, BotConnection connection)
    {
        Options = options;
        Connection = connection;
    }

    /// <summary>Options.</summary>
    public SampleBotOptions Options { get; }

    /// <summary>Connection.</summary>
    public BotConnection Connection { get; }

    /// <summary>The bot's own base address (webhook, health, metrics).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Webhook secret in use.</summary>
    public string WebhookSecret { get; private set; } = null!;

    /// <summary>Metrics.</summary>
    public SampleMetrics Metrics { get; private set; } = null!;

    /// <summary>Prometheus exporter.</summary>
    public PrometheusExporter Exporter { get; private set; } = null!;

    /// <summary>Storage.</summary>
    public IBotStore Store { get; private set; } = null!;

    /// <summary>Order jobs.</summary>
    public OrderJobRunner Orders { get; private set; } = null!;

    /// <summary>Facts.</summary>
    public FactsService Facts { get; private set; } = null!;

    /// <summary>Channels (MTProto).</summary>
    public ChannelsService Channels { get; private set; } = null!;

    /// <summary>Live locations.</summary>
    public LiveLocationTracker Locations { get; private set; } = null!;

    /// <summary>Broadcast.</summary>
    public BroadcastService Broadcast { get; private set; } = null!;

    /// <summary>Anti-spam.</summary>
    public AntiSpam AntiSpam { get; private set; } = null!;

    /// <summary>Update intake.</summary>
    public UpdateIntake Intake { get; private set; } = null!;

    /// <summary>Watchdog.</summary>
    public TrafficWatchdog Watchdog { get; private set; } = null!;

    /// <summary>Lag probe.</summary>
    public LagProbe Lag { get; private set; } = null!;

    /// <summary>Workers.</summary>
    public IReadOnlyList<PeriodicWorker> Workers { get; private set; } = [];

    /// <summary>Outgoing Bot API resilience handler.</summary>
    public BotApiResilienceHandler BotApiHandler { get; private set; } = null!;

    /// <summary>Background work.</summary>
    public BackgroundWork Background { get; private set; } = null!;

    /// <summary>Simulated AI.</summary>
    public SimulatedFactsAi Ai { get; private set; } = null!;

    /// <summary>Simulated label generator.</summary>
    public SimulatedLabelGenerator LabelGenerator { get; private set; } = null!;

    /// <summary>Simulated MTProto.</summary>
    public SimulatedMTProtoService MTProto { get; private set; } = null!;

    /// <summary>Builds and starts the bot.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="connection">Bot API connection.</param>
    /// <param name="hooks">Hooks.</param>
    /// <param name="cancellationToken">Cancellation of the start.</param>
    public static async Task<SampleBotApp> StartAsync(SampleBotOptions options, BotConnection connection, SampleBotHooks? hooks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connection);
        var app = new SampleBotApp(options, connection);
        try
        {
            await app.StartCoreAsync(hooks ?? new SampleBotHooks(), cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    private async Task StartCoreAsync(SampleBotHooks hooks, CancellationToken cancellationToken)
    {
        SampleBotOptions o = Options;
        TimeProvider time = hooks.TimeProvider ?? TimeProvider.System;
        ILoggerFactory loggers = hooks.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        double scale = o.DelayScale;
        TimeSpan Scaled(TimeSpan t) => TimeSpan.FromTicks((long)(t.Ticks * scale));

        Lag = null!;
        Metrics = new SampleMetrics();
        Exporter = new PrometheusExporter(BotResilience.Telemetry.ResilienceTelemetry.MeterName, SampleMetrics.MeterName);

        // storage
        IBotStore store = string.IsNullOrWhiteSpace(o.PostgresConnectionString)
            ? new SqliteBotStore(o.DatabasePath!)
            : new PostgreSqlBotStore(o.PostgresConnectionString);
        Store = store;
        await store.InitializeAsync(cancellationToken);

        // outgoing Bot API: no HTTP in a transaction → Telegram limits, lanes, 429 handling → sockets
        BotApiHandler = new BotApiResilienceHandler(
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 1024 },
            new BotApiResilienceOptions
            {
                // a little under Telegram's documented limits: arrival jitter must not push a window over
                GlobalLimit = 24,
                PerChatBurst = 2,
                LimitSafetyMargin = TimeSpan.FromMilliseconds(150),
            },
            time,
            loggers.CreateLogger<BotApiResilienceHandler>());
        var http = new HttpClient(new NoHttpInTransactionHandler { InnerHandler = BotApiHandler }) { Timeout = TimeSpan.FromSeconds(60) };
        var api = new BotApiClient(http, Connection.ApiBaseUrl, Connection.Token);
        var replies = new BotReplies(api, Metrics, loggers.CreateLogger<BotReplies>());

        // simulated dependencies
        var sim = new SimulationSettings(scale, time);
        Ai = new SimulatedFactsAi(sim);
        LabelGenerator = new SimulatedLabelGenerator(sim, o.LabelFailureRate);
        MTProto = new SimulatedMTProtoService(sim, o.MTProtoFloodRate);

        // features
        Background = new BackgroundWork(Metrics, loggers.CreateLogger<BackgroundWork>());
        _disposables.Add(Background);
        AntiSpam = new AntiSpam(o.SpamPermitLimit, o.SpamWindow, time);
        Facts = new FactsService(Ai, Store, o.FactsConcurrency, o.FactsQueueLimit, Scaled(o.FactsTimeout), o.FactsCacheTtl, Scaled(TimeSpan.FromSeconds(60)), Metrics, time);
        Channels = new ChannelsService(MTProto, Scaled(TimeSpan.FromSeconds(300)), TimeSpan.FromSeconds(2), Metrics, time);
        Broadcast = new BroadcastService(Store, replies, 20, Metrics, time);
        Orders = new OrderJobRunner(Store, LabelGenerator, replies, Metrics,
            new OrderJobSettings(o.OrderWorkers, o.OrderMaxAttempts, Scaled(o.OrderRetryDelay), o.OrderLease, Scaled(TimeSpan.FromSeconds(30)), TimeSpan.FromMilliseconds(Math.Clamp(500 * scale, 20, 500))),
            time, loggers.CreateLogger<OrderJobRunner>());
        BotHandler? handler = null;
        Locations = new LiveLocationTracker(o.MaxLiveLocationSessions, o.MaxConcurrentLocationUpdates, TimeSpan.FromSeconds(60),
            (u, lat, lon, ct) => handler!.ProcessLocationUpdateAsync(u, lat, lon, ct), Metrics, time);
        _disposables.Add(Locations);
        handler = new BotHandler(replies, AntiSpam, Facts, Channels, Locations, Broadcast, Store, Orders, Background, Metrics, o.AdminUserIds, time, loggers.CreateLogger<BotHandler>());
        Intake = new UpdateIntake(handler, maxConcurrency: 64, o.HandlerTimeout, Metrics, loggers.CreateLogger<UpdateIntake>(), time);

        // monitoring
        Lag = new LagProbe(Metrics, loggers);
        _disposables.Add(Lag);
        BotResilience.Monitoring.WatchdogAction action = hooks.OnWatchdogFired is not null
            ? BotResilience.Monitoring.WatchdogAction.MarkUnhealthy
            : o.WatchdogAction == "exit" ? BotResilience.Monitoring.WatchdogAction.TerminateProcess : BotResilience.Monitoring.WatchdogAction.Log;
        Watchdog = new TrafficWatchdog(o.WatchdogSilence, o.WatchdogGrace, action, hooks.OnWatchdogFired, Metrics, loggers.CreateLogger<BotResilience.Monitoring.Watchdog>());
        _disposables.Add(Watchdog);
        ILogger<BotResilience.Monitoring.SupervisedWorker> workerLog = loggers.CreateLogger<BotResilience.Monitoring.SupervisedWorker>();
        Workers =
        [
            new PeriodicWorker("reminders", TimeSpan.FromSeconds(Math.Max(0.2, 15 * scale)), o.WorkerIterationTimeout, async ct =>
            {
                OrderCounts counts = await Store.GetOrderCountsAsync(ct);
                workerLog.LogDebug("reminders: {Pending} pending, {Running} running orders", counts.Pending, counts.Running);
            }, Metrics, workerLog),
            new PeriodicWorker("expiry-cleanup", TimeSpan.FromSeconds(Math.Max(0.2, 10 * scale)), o.WorkerIterationTimeout, async ct =>
            {
                await Store.DeleteExpiredFactsAsync(time.GetUtcNow(), ct);
                Facts.Sweep();
                AntiSpam.Sweep();
                Locations.ExpireIdle();
            }, Metrics, workerLog),
        ];
        _disposables.AddRange(Workers);
        AddGauges();

        // web host
        WebhookSecret = string.IsNullOrEmpty(o.WebhookSecret) ? Convert.ToHexString(RandomNumberGenerator.GetBytes(24)) : o.WebhookSecret;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseUrls(o.ListenUrl);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1 << 20);
        builder.Services.AddHealthChecks()
            .AddCheck("watchdog", () => Watchdog.Silence < o.WatchdogSilence || Watchdog.InGrace ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"no webhook traffic for {Watchdog.Silence}"), ["live"])
            .AddCheck("thread-pool-lag", () => Lag.Current < TimeSpan.FromSeconds(2) ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded($"lag {Lag.Current.TotalMilliseconds:F0} ms"), ["live"])
            .AddCheck("database", () =>
            {
                try
                {
                    _ = Store.GetOrderCountsAsync(CancellationToken.None).GetAwaiter().GetResult();
                    return HealthCheckResult.Healthy();
                }
                catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
                {
                    return HealthCheckResult.Unhealthy("database: " + ex.Message);
                }
            }, ["ready"])
            .AddCheck("facts-ai", () => Facts.Breaker.State == BotResilience.CircuitBreaking.CircuitState.Closed ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded($"breaker {Facts.Breaker.State}"), ["ready"])
            .AddCheck("mtproto", () => Channels.BreakerState == BotResilience.CircuitBreaking.CircuitState.Closed ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded($"breaker {Channels.BreakerState} (cached data served)"), ["ready"]);
        WebApplication web = builder.Build();
        _web = web;
        web.MapPost(WebhookPath, (Delegate)HandleWebhookAsync);
        web.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        web.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") || c.Tags.Contains("live") });
        web.MapGet("/metrics", () => Results.Text(Exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        await web.StartAsync(cancellationToken);
        string bound = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));

        Orders.Start();
        if (Connection.Receive == BotMode.Polling)
        {
            await api.DeleteWebhookAsync(cancellationToken);
            _polling = Task.Run(() => PollAsync(api, loggers.CreateLogger("Polling"), _stopping.Token));
        }
        else
        {
            string publicBase = Connection.PublicBaseUrl ?? BaseAddress.ToString();
            await api.SetWebhookAsync(publicBase.TrimEnd('/') + WebhookPath, WebhookSecret, 100, cancellationToken);
        }
    }

    private async Task<IResult> HandleWebhookAsync(HttpContext context)
    {
        Watchdog.Beat(); // seed 004: liveness first, before the secret check
        if (!string.Equals(context.Request.Headers["X-Telegram-Bot-Api-Secret-Token"], WebhookSecret, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref Metrics.RejectedSecret);
            return Results.Unauthorized();
        }

        Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<Update>(context.Request.Body, BotJson.Options, context.RequestAborted);
        }
        catch (JsonException)
        {
            return Results.Ok(); // malformed: acknowledge so Telegram does not re-send it forever
        }

        // queued for the dispatcher (which applies the 25 s handler timeout); a full queue answers 503 so Telegram re-sends later
        if (update is not null && !await Intake.DispatchAsync(update, _stopping.Token))
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Ok();
    }

    private async Task PollAsync(BotApiClient api, ILogger logger, CancellationToken ct)
    {
        long offset = 0;
        TimeSpan backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                IReadOnlyList<Update> updates = await api.GetUpdatesAsync(offset, 25, ct);
                Watchdog.Beat();
                backoff = TimeSpan.FromSeconds(1);
                foreach (Update u in updates)
                {
                    await Intake.DispatchAsync(u, ct);
                }

                await Intake.WaitForIdleAsync(ct); // acknowledge the offset only after the batch was handled
                if (updates.Count > 0)
                {
                    offset = updates.Max(u => u.UpdateId) + 1;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is BotApiException or HttpRequestException or TaskCanceledException or JsonException)
            {
                // getUpdates errors back off exponentially (Telegram.Bot's loop retries with no backoff)
                logger.LogWarning("getUpdates failed: {Error}; retrying in {Delay}", ex.Message, backoff);
                await Task.Delay(backoff, CancellationToken.None);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(60).Ticks));
            }
        }
    }

    private void AddGauges()
    {
        Metrics.AddGauge("threadpool.lag", "Thread-pool lag (ms)", () => Lag.Current.TotalMilliseconds);
        Metrics.AddGauge("facts.bulkhead.running", "AI calls running", () => Facts.Bulkhead.CurrentCount);
        Metrics.AddGauge("facts.bulkhead.queue", "AI calls queued", () => Facts.Bulkhead.QueueLength);
        Metrics.AddGauge("facts.breaker.state", "0 closed, 1 open, 2 half-open, 3 isolated", () => (int)Facts.Breaker.State);
        Metrics.AddGauge("mtproto.breaker.state", "0 closed, 1 open, 2 half-open, 3 isolated", () => (int)Channels.BreakerState);
        Metrics.AddGauge("mtproto.flood_wait.remaining", "Seconds until the MTProto session may call again", () => Channels.RemainingFloodWait.TotalSeconds);
        Metrics.AddGauge("locations.sessions", "Active live-location sessions", () => Locations.ActiveSessions);
        Metrics.AddGauge("locations.queue", "Location updates waiting for a batch", () => Locations.QueuedUpdates);
        Metrics.AddGauge("orders.running", "Order jobs running", () => Orders.Running);
        Metrics.AddGauge("intake.in_flight", "Updates being handled", () => Intake.InFlight);
        Metrics.AddGauge("botapi.queue", "Outgoing Bot API requests waiting", () => BotApiHandler.QueueLength);
        Metrics.AddGauge("watchdog.silence", "Seconds since the last webhook request", () => Watchdog.Silence.TotalSeconds);
        Metrics.AddGauge("background.tasks", "Background tasks running", () => Background.Count);
    }

    /// <summary>Stops the bot: no new updates, drain background work, release running jobs (unless <paramref name="simulateCrash"/>).</summary>
    /// <param name="simulateCrash">Abandon running jobs without releasing their leases, as a killed process would.</param>
    /// <param name="drain">How long to wait for background work.</param>
    public async Task StopAsync(bool simulateCrash = false, TimeSpan? drain = null)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (Orders is not null)
        {
            Orders.SimulateCrashOnStop = simulateCrash;
        }

        await _stopping.CancelAsync();
        if (_web is not null)
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _web.StopAsync(stopTimeout.Token);
        }

        if (_polling is not null)
        {
            await _polling;
        }

        if (Intake is not null)
        {
            await Intake.DisposeAsync(); // drains accepted updates (up to 5 s) while the features are still alive
        }

        if (Background is not null && !simulateCrash)
        {
            await Background.DrainAsync(drain ?? TimeSpan.FromSeconds(2));
        }

        if (Orders is not null)
        {
            await Orders.DisposeAsync();
        }

        for (int i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        _disposables.Clear();
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }


        Channels?.Dispose();
        Broadcast?.Dispose();
        AntiSpam?.Dispose();
        Exporter?.Dispose();
        Metrics?.Dispose();
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    internal static string Fmt(double v) => v.ToString("F0", CultureInfo.InvariantCulture);
}
