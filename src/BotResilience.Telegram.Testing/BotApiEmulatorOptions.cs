using System.Globalization;
using System.Text.RegularExpressions;

namespace BotResilience.Telegram.Testing;

/// <summary>
/// Options of a <see cref="BotApiEmulator"/>: accepted tokens, the Telegram limits it enforces, time scaling and
/// webhook delivery behaviour. Validated when the emulator is constructed.
/// </summary>
/// <remarks>
/// <para>Limits apply to the message-sending methods only (<c>sendMessage</c>, <c>sendPhoto</c>, <c>sendDocument</c>);
/// <c>editMessageText</c>, <c>deleteMessage</c>, <c>sendChatAction</c>, <c>answerCallbackQuery</c> and the update
/// methods are never limited.</para>
/// <para>Scaling: <see cref="LimitScale"/> multiplies the permit counts of every limit (rates go up, windows stay);
/// <see cref="TimeScale"/> makes emulated time run faster than the <see cref="TimeProvider"/>: every window, penalty,
/// webhook timeout and webhook back-off is divided by it, and <c>retry_after</c> is reported in emulated seconds
/// (<c>ceil(wait × TimeScale)</c>, at least 1), so a client that honours it literally waits long enough, never too little.</para>
/// </remarks>
public sealed partial class BotApiEmulatorOptions
{
    /// <summary>Gets the tokens the emulator accepts. When empty, any token of the form <c>&lt;digits&gt;:&lt;[A-Za-z0-9_-]+&gt;</c> is accepted.</summary>
    /// <value>Empty by default.</value>
    public IList<string> AcceptedTokens { get; } = [];

    /// <summary>Gets or sets the loopback port Kestrel listens on (0 picks a free port).</summary>
    /// <value>0 by default; 0 to 65535.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets the username <c>getMe</c> reports.</summary>
    /// <value><c>emulated_bot</c> by default.</value>
    public string BotUsername { get; set; } = "emulated_bot";

    /// <summary>Gets or sets the first name <c>getMe</c> reports.</summary>
    /// <value><c>Emulated Bot</c> by default.</value>
    public string BotFirstName { get; set; } = "Emulated Bot";

    /// <summary>Gets or sets whether the limits are enforced at all.</summary>
    /// <value><see langword="true"/> by default.</value>
    public bool EnforceLimits { get; set; } = true;

    /// <summary>Gets or sets the sustained number of messages per second to one private chat.</summary>
    /// <value>1 by default (Telegram's FAQ); at least 1.</value>
    public int PerChatPerSecond { get; set; } = 1;

    /// <summary>Gets or sets how many messages to one chat may be sent back to back before the per-chat rate applies (a token bucket of this capacity).</summary>
    /// <value>3 by default; at least 1 (1 means strictly <see cref="PerChatPerSecond"/>). Not multiplied by <see cref="LimitScale"/>.</value>
    public int PerChatBurst { get; set; } = 3;

    /// <summary>Gets or sets whether the per-chat limit also applies to groups, supergroups and channels (which always get <see cref="PerGroupPerMinute"/>).</summary>
    /// <value><see langword="false"/> by default: only private chats get the per-chat limit.</value>
    public bool PerChatLimitAppliesToGroups { get; set; }

    /// <summary>Gets or sets the number of messages per minute to one group, supergroup or channel (an exact sliding window).</summary>
    /// <value>20 by default; at least 1.</value>
    public int PerGroupPerMinute { get; set; } = 20;

    /// <summary>Gets or sets the number of messages per second over all chats (an exact sliding window).</summary>
    /// <value>30 by default; at least 1.</value>
    public int GlobalPerSecond { get; set; } = 30;

    /// <summary>Gets or sets the number of messages per second over all chats for requests with <c>allow_paid_broadcast=true</c> (an exact sliding window that counts every send).</summary>
    /// <value>1000 by default; at least <see cref="GlobalPerSecond"/>.</value>
    public int PaidBroadcastPerSecond { get; set; } = 1000;

    /// <summary>Gets or sets whether a chat (or the whole bot) that got a 429 keeps getting 429 for every send until its <c>retry_after</c> deadline, as Telegram does.</summary>
    /// <value><see langword="true"/> by default.</value>
    public bool PenalizeUntilRetryAfter { get; set; } = true;

    /// <summary>Gets or sets the factor applied to every permit count (per-chat rate, per-group and global counts). 20 turns 30/s into 600/s.</summary>
    /// <value>1 by default; greater than 0 and at most 10 000, and every scaled count must stay at least 1.</value>
    public double LimitScale { get; set; } = 1;

    /// <summary>Gets or sets how many emulated seconds pass per second of <see cref="TimeProvider"/>: windows, penalties and webhook timings are divided by it.</summary>
    /// <value>1 by default; greater than 0 and at most 10 000.</value>
    public double TimeScale { get; set; } = 1;

    /// <summary>Gets or sets the clock used for limit bookkeeping, timestamps, long polling, latency faults and webhook timings.</summary>
    /// <value><see cref="TimeProvider.System"/> by default.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets how long the emulator waits for a webhook answer before treating the delivery as failed and re-sending (emulated time).</summary>
    /// <value>10 seconds by default; greater than zero.</value>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the wait before the first re-send of a failed webhook delivery; it doubles on every further failure (emulated time).</summary>
    /// <value>1 second by default; greater than zero.</value>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest wait between re-sends of a failed webhook delivery (emulated time).</summary>
    /// <value>60 seconds by default; at least <see cref="WebhookRetryDelay"/>.</value>
    public TimeSpan WebhookMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the handler used to POST updates to webhooks (for example an in-memory test server's handler). The emulator does not dispose it.</summary>
    /// <value><see langword="null"/> by default: a socket handler owned by the emulator.</value>
    public HttpMessageHandler? WebhookHandler { get; set; }

    /// <summary>Gets or sets whether every request is kept in <see cref="BotApiEmulator.Calls"/> (turn off for very long load runs to save memory; messages are always recorded).</summary>
    /// <value><see langword="true"/> by default.</value>
    public bool RecordCalls { get; set; } = true;

    /// <summary>Gets or sets the seed of the random source used for latency jitter.</summary>
    /// <value><see langword="null"/> by default (non-deterministic).</value>
    public int? RandomSeed { get; set; }

    /// <summary>Checks every option and throws when one is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its allowed range.</exception>
    /// <exception cref="ArgumentException">A token or name is malformed.</exception>
    public void Validate()
    {
        foreach (var token in AcceptedTokens)
        {
            if (token is null || !TokenPattern().IsMatch(token))
            {
                throw new ArgumentException($"{nameof(AcceptedTokens)} must contain tokens of the form <digits>:<[A-Za-z0-9_-]+>.", nameof(AcceptedTokens));
            }
        }

        Range(Port, 0, 65535, nameof(Port));
        if (string.IsNullOrWhiteSpace(BotUsername))
        {
            throw new ArgumentException($"{nameof(BotUsername)} must not be empty.", nameof(BotUsername));
        }

        if (string.IsNullOrWhiteSpace(BotFirstName))
        {
            throw new ArgumentException($"{nameof(BotFirstName)} must not be empty.", nameof(BotFirstName));
        }

        Range(PerChatPerSecond, 1, int.MaxValue, nameof(PerChatPerSecond));
        Range(PerChatBurst, 1, 1_000_000, nameof(PerChatBurst));
        Range(PerGroupPerMinute, 1, int.MaxValue, nameof(PerGroupPerMinute));
        Range(GlobalPerSecond, 1, int.MaxValue, nameof(GlobalPerSecond));
        Range(PaidBroadcastPerSecond, GlobalPerSecond, int.MaxValue, nameof(PaidBroadcastPerSecond));
        if (!(LimitScale > 0 && LimitScale <= 10_000))
        {
            throw new ArgumentOutOfRangeException(nameof(LimitScale), LimitScale, $"{nameof(LimitScale)} must be greater than 0 and at most 10000.");
        }

        if (!(TimeScale > 0 && TimeScale <= 10_000))
        {
            throw new ArgumentOutOfRangeException(nameof(TimeScale), TimeScale, $"{nameof(TimeScale)} must be greater than 0 and at most 10000.");
        }

        _ = ScaledCount(PerChatPerSecond, nameof(PerChatPerSecond));
        _ = ScaledCount(PerGroupPerMinute, nameof(PerGroupPerMinute));
        _ = ScaledCount(GlobalPerSecond, nameof(GlobalPerSecond));
        _ = ScaledCount(PaidBroadcastPerSecond, nameof(PaidBroadcastPerSecond));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        Positive(WebhookTimeout, nameof(WebhookTimeout));
        Positive(WebhookRetryDelay, nameof(WebhookRetryDelay));
        if (WebhookMaxRetryDelay < WebhookRetryDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(WebhookMaxRetryDelay), WebhookMaxRetryDelay, $"{nameof(WebhookMaxRetryDelay)} must be at least {nameof(WebhookRetryDelay)} ({WebhookRetryDelay}).");
        }
    }

    internal int ScaledCount(int count, string name)
    {
        var scaled = Math.Round(count * LimitScale);
        if (scaled < 1 || scaled > 100_000_000)
        {
#pragma warning disable CA2208 // The option at fault is LimitScale, not a parameter of this helper.
            throw new ArgumentOutOfRangeException(nameof(LimitScale), LimitScale,
                string.Create(CultureInfo.InvariantCulture, $"{name} × {nameof(LimitScale)} = {scaled} must be between 1 and 100000000."));
#pragma warning restore CA2208
        }

        return (int)scaled;
    }

    internal static bool IsWellFormedToken(string token) => TokenPattern().IsMatch(token);

    private static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}."));
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be greater than zero and at most one day.");
        }
    }

    [GeneratedRegex("^[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
