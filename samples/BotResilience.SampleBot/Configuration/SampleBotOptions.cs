namespace BotResilience.SampleBot.Configuration;

/// <summary>How the bot receives updates.</summary>
public enum BotMode
{
    /// <summary>No token: in-process emulator, simulated users, webhook delivery on loopback.</summary>
    Demo,

    /// <summary>Real Telegram, updates pushed to <see cref="SampleBotOptions.PublicUrl"/>.</summary>
    Webhook,

    /// <summary>Real Telegram, updates fetched with getUpdates.</summary>
    Polling,
}

/// <summary>All settings of the sample bot (section <c>SampleBot</c>, environment, command line).</summary>
public sealed class SampleBotOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "SampleBot";

    /// <summary>Bot token; empty = demo mode. Also read from <c>BOT_TOKEN</c>.</summary>
    public string? BotToken { get; set; }

    /// <summary>Demo, webhook or polling. Defaults to demo without a token and polling with one.</summary>
    public BotMode? Mode { get; set; }

    /// <summary>Bot API base address (api.telegram.org; the emulator's address in demo mode).</summary>
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>Public HTTPS base address Telegram delivers webhooks to (webhook mode).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Address the bot's Kestrel listens on. Demo default: a free loopback port.</summary>
    public string ListenUrl { get; set; } = "http://127.0.0.1:0";

    /// <summary>Webhook secret token (generated when empty).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Run time in seconds (0 = until Ctrl+C; demo default 60).</summary>
    public double? DurationSeconds { get; set; }

    /// <summary>Simulated concurrent users in demo mode.</summary>
    public int Users { get; set; } = 500;

    /// <summary>Multiplies every simulated dependency delay (tests use 0.05–0.2).</summary>
    public double DelayScale { get; set; } = 1.0;

    /// <summary>SQLite file; default <c>$TMPDIR/botresilience-sample/bot.db</c>.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>PostgreSQL connection string; when set, storage is PostgreSQL (<c>PostgreSqlBotStore</c>) instead of the SQLite file.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>User ids allowed to run admin commands (/broadcast, /admin_mtproto). Demo: the simulated admin.</summary>
    public IList<long> AdminUserIds { get; } = new List<long>();

    /// <summary>Anti-spam: messages per user per window (seed 000).</summary>
    public int SpamPermitLimit { get; set; } = 10;

    /// <summary>Anti-spam window.</summary>
    public TimeSpan SpamWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Webhook/update handler timeout (seed 004: 25 s, still answers 200).</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Watchdog: restart after this long without webhook traffic (seed 004).</summary>
    public TimeSpan WatchdogSilence { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>Watchdog grace after start.</summary>
    public TimeSpan WatchdogGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>What the watchdog does when it fires: <c>exit</c> (process exit 1, let the supervisor restart) or <c>log</c>.</summary>
    public string WatchdogAction { get; set; } = "exit";

    /// <summary>Iteration timeout of supervised workers (seed 004: 120 s).</summary>
    public TimeSpan WorkerIterationTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Order job: attempts (seed 000: 3).</summary>
    public int OrderMaxAttempts { get; set; } = 3;

    /// <summary>Order job: base backoff between attempts (doubles; scaled by <see cref="DelayScale"/>).</summary>
    public TimeSpan OrderRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Order job: lease after which a running job whose owner died is re-claimed.</summary>
    public TimeSpan OrderLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Concurrent order jobs (seed 003: bounded pool).</summary>
    public int OrderWorkers { get; set; } = 8;

    /// <summary>Probability that one label generation fails.</summary>
    public double LabelFailureRate { get; set; } = 0.25;

    /// <summary>Facts "AI": concurrent calls (seed 002: 3).</summary>
    public int FactsConcurrency { get; set; } = 3;

    /// <summary>Facts "AI": priority queue length before "overloaded, try later".</summary>
    public int FactsQueueLimit { get; set; } = 50;

    /// <summary>Facts "AI": timeout of one call.</summary>
    public TimeSpan FactsTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Facts cache lifetime (seed 002: 1 h).</summary>
    public TimeSpan FactsCacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Live locations: maximum active sessions (seed 002: 50).</summary>
    public int MaxLiveLocationSessions { get; set; } = 50;

    /// <summary>Live locations: updates processed at once (seed 002: 10).</summary>
    public int MaxConcurrentLocationUpdates { get; set; } = 10;

    /// <summary>Probability that one simulated MTProto call answers FLOOD_WAIT_X.</summary>
    public double MTProtoFloodRate { get; set; } = 0.05;

    /// <summary>Console: live view (<c>auto</c>, <c>live</c>, <c>plain</c>, <c>none</c>).</summary>
    public string Console { get; set; } = "auto";
}
