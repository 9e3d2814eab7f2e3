using BotResilience.Retry;

namespace BotResilience.Telegram;

/// <summary>Options of <see cref="BotApiResilienceHandler"/>. Defaults are Telegram's documented Bot API limits.</summary>
public sealed class BotApiResilienceOptions
{
    /// <summary>The default sending methods (the ones Telegram's message limits apply to).</summary>
    public static readonly IReadOnlyCollection<string> DefaultSendingMethods =
    [
        "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice", "sendAnimation",
        "sendSticker", "sendLocation", "sendVenue", "sendContact", "sendPoll", "sendDice", "sendMediaGroup",
        "copyMessage", "forwardMessage", "copyMessages", "forwardMessages", "sendVideoNote", "sendPaidMedia",
        "sendInvoice", "sendGame", "sendChecklist", "sendChatAction", "stopPoll", "sendGift",
    ];

    /// <summary>The message-editing methods, throttled like sends when <see cref="ThrottleEditMethods"/> is on.</summary>
    public static readonly IReadOnlyCollection<string> EditMethods =
    [
        "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
        "editMessageLiveLocation", "stopMessageLiveLocation", "editMessageChecklist",
    ];

    /// <summary>Messages a chat may burst before the per-chat rate applies (token-bucket capacity).</summary>
    /// <value>Default 3; 1 to 1000.</value>
    public int PerChatBurst { get; set; } = 3;

    /// <summary>One message per chat per this period, after the burst (Telegram: about 1 message/s per chat).</summary>
    /// <value>Default 1 s; 1 ms to 1 h.</value>
    public TimeSpan PerChatPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether groups, supergroups and channels also get the per-chat rate (<see cref="PerChatBurst"/>,
    /// <see cref="PerChatPeriod"/>) in addition to <see cref="GroupLimit"/>.
    /// </summary>
    /// <value>Default <see langword="true"/> (conservative: no burst of 20 into a group at once).</value>
    public bool PerChatLimitAppliesToGroups { get; set; } = true;

    /// <summary>
    /// Added to every window and period (global, group, per chat) so that network jitter between the moment a send is
    /// granted here and the moment Telegram counts it cannot push a burst over the server's exact limit.
    /// </summary>
    /// <value>Default 20 ms (2 % of the 1 s windows); zero to 10 s.</value>
    public TimeSpan LimitSafetyMargin { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Messages per group, supergroup or channel within <see cref="GroupWindow"/> (exact sliding window).</summary>
    /// <value>Default 20; 1 to 100 000.</value>
    public int GroupLimit { get; set; } = 20;

    /// <summary>The window of <see cref="GroupLimit"/>.</summary>
    /// <value>Default 1 min; 1 ms to 1 day.</value>
    public TimeSpan GroupWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sending requests of the bot within <see cref="GlobalWindow"/> (exact sliding window).</summary>
    /// <value>Default 30; 1 to 1 000 000.</value>
    public int GlobalLimit { get; set; } = 30;

    /// <summary>
    /// How many bot-wide sends may go out back to back; beyond it sends are spaced evenly (<see cref="GlobalWindow"/> /
    /// <see cref="GlobalLimit"/> apart). Sending a whole window at once is legal but the server sees it spread by network
    /// jitter, which then overlaps the next window there.
    /// </summary>
    /// <value>Default 3; 1 to <see cref="GlobalLimit"/>.</value>
    public int GlobalBurst { get; set; } = 3;

    /// <summary>
    /// Requests within <see cref="GlobalWindow"/> counting every send, of which only requests with <c>allow_paid_broadcast</c>
    /// may exceed <see cref="GlobalLimit"/> (paid broadcasts consume this budget only; ordinary sends consume both).
    /// </summary>
    /// <value>Default 1000; 1 to 1 000 000.</value>
    public int PaidBroadcastLimit { get; set; } = 1000;

    /// <summary>The window of <see cref="GlobalLimit"/> and <see cref="PaidBroadcastLimit"/>.</summary>
    /// <value>Default 1 s; 1 ms to 1 h.</value>
    public TimeSpan GlobalWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The methods that consume the message budgets; others (getUpdates, getMe, answerCallbackQuery...) pass unthrottled.</summary>
    /// <value>Default <see cref="DefaultSendingMethods"/>; matched ordinally, case-insensitively.</value>
    public ISet<string> SendingMethods { get; set; } = new HashSet<string>(DefaultSendingMethods, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <see cref="EditMethods"/> consume the message budgets too.</summary>
    /// <value>Default <see langword="true"/> (Telegram floods on edits as on sends).</value>
    public bool ThrottleEditMethods { get; set; } = true;

    /// <summary>What a 429 pauses.</summary>
    /// <value>Default <see cref="FloodScope.ChatAndBot"/>.</value>
    public FloodScope FloodScope { get; set; } = FloodScope.ChatAndBot;

    /// <summary>A 429 whose <c>retry_after</c> is at most this is retried transparently; above it the original 429 response is returned.</summary>
    /// <value>Default 60 s; zero (never retry 429s) to 1 day.</value>
    public TimeSpan FloodWaitThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many 429s one request retries before the last 429 response is returned.</summary>
    /// <value>Default 5; 0 to 100.</value>
    public int MaxFloodRetries { get; set; } = 5;

    /// <summary>Retries after 5xx responses and network errors (<see cref="HttpRequestException"/>).</summary>
    /// <value>Default 3; 0 to 100.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first retry delay; later ones grow as <see cref="BackoffType"/> says, capped by <see cref="RetryMaxDelay"/>.</summary>
    /// <value>Default 1 s; zero to 1 h.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest retry delay.</summary>
    /// <value>Default 30 s; at least <see cref="RetryDelay"/>, at most 1 h.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How retry delays grow.</summary>
    /// <value>Default <see cref="BackoffType.Exponential"/>.</value>
    public BackoffType BackoffType { get; set; } = BackoffType.Exponential;

    /// <summary>
    /// The flood gate that holds paused scopes (<c>bot:&lt;bot id&gt;</c> and <c>chat:&lt;bot id&gt;:&lt;chat_id&gt;</c>). Share one
    /// gate between handlers (or observe its <see cref="FloodGate.Paused"/> event) by setting it.
    /// </summary>
    /// <value>Default <see langword="null"/>: the handler creates its own on its <see cref="TimeProvider"/>.</value>
    public FloodGate? FloodGate { get; set; }

    /// <summary>Whether retry delays are jittered (uniformly 50 % to 100 % of the computed delay).</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool UseJitter { get; set; } = true;

    /// <summary>Consecutive 5xx/network failures (after retries are counted individually) that open the bot's circuit.</summary>
    /// <value>Default 5; 1 to 10 000.</value>
    public int CircuitBreakerFailureThreshold { get; set; } = 5;

    /// <summary>How long an open circuit fails fast before one probe request is let through.</summary>
    /// <value>Default 30 s; 1 ms to 1 day.</value>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sending requests that may wait in the bot's scheduler; one more fails with <see cref="BotApiQueueFullException"/>.</summary>
    /// <value>Default 100 000; 1 to 10 000 000.</value>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>Called for every 400 with <c>migrate_to_chat_id</c> (the response itself is returned unchanged).</summary>
    public Action<ChatMigratedEventArgs>? OnChatMigrated { get; set; }

    /// <summary>Called for every 429 received.</summary>
    public Action<BotApiFloodWaitEventArgs>? OnFloodWait { get; set; }

    internal bool IsThrottled(string method)
        => SendingMethods.Contains(method) || (ThrottleEditMethods && EditMethods.Contains(method, StringComparer.OrdinalIgnoreCase));

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range (the message names it).</exception>
    public void Validate()
    {
        Check(PerChatBurst, 1, 1000, nameof(PerChatBurst));
        Check(PerChatPeriod, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), nameof(PerChatPeriod));
        Check(GroupLimit, 1, 100_000, nameof(GroupLimit));
        Check(GroupWindow, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), nameof(GroupWindow));
        Check(GlobalLimit, 1, 1_000_000, nameof(GlobalLimit));
        Check(PaidBroadcastLimit, 1, 1_000_000, nameof(PaidBroadcastLimit));
        Check(GlobalBurst, 1, GlobalLimit, nameof(GlobalBurst));
        Check(GlobalWindow, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), nameof(GlobalWindow));
        Check(LimitSafetyMargin, TimeSpan.Zero, TimeSpan.FromSeconds(10), nameof(LimitSafetyMargin));
        Check(FloodWaitThreshold, TimeSpan.Zero, TimeSpan.FromDays(1), nameof(FloodWaitThreshold));
        Check(MaxFloodRetries, 0, 100, nameof(MaxFloodRetries));
        Check(MaxRetryAttempts, 0, 100, nameof(MaxRetryAttempts));
        Check(RetryDelay, TimeSpan.Zero, TimeSpan.FromHours(1), nameof(RetryDelay));
        Check(RetryMaxDelay, RetryDelay, TimeSpan.FromHours(1), nameof(RetryMaxDelay));
        Check(CircuitBreakerFailureThreshold, 1, 10_000, nameof(CircuitBreakerFailureThreshold));
        Check(CircuitBreakerBreakDuration, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), nameof(CircuitBreakerBreakDuration));
        Check(QueueLimit, 1, 10_000_000, nameof(QueueLimit));
        if (SendingMethods is null)
        {
            throw new ArgumentException("SendingMethods must not be null.", nameof(SendingMethods));
        }

        if (!Enum.IsDefined(BackoffType))
        {
            throw new ArgumentOutOfRangeException(nameof(BackoffType), BackoffType, "BackoffType must be Constant, Linear or Exponential.");
        }

        if (!Enum.IsDefined(FloodScope))
        {
            throw new ArgumentOutOfRangeException(nameof(FloodScope), FloodScope, "FloodScope must be Chat, Bot or ChatAndBot.");
        }
    }

    internal BotApiResilienceOptions Clone()
    {
        var copy = (BotApiResilienceOptions)MemberwiseClone();
        copy.SendingMethods = new HashSet<string>(SendingMethods, StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }
}
