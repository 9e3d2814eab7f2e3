using System.Globalization;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Orders;
using BotResilience.SampleBot.Storage;
using BotResilience.SampleBot.Telegram;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Features;

/// <summary>The replies users see (the simulated crowd matches on these).</summary>
public static class BotTexts
{
    /// <summary>Spam warning prefix.</summary>
    public const string TooManyRequests = "⏳ Too many requests, wait";

    /// <summary>Overloaded.</summary>
    public const string Overloaded = "⚠️ Overloaded, try later.";

    /// <summary>Thinking.</summary>
    public const string Thinking = "🤔 thinking…";

    /// <summary>Fact prefix.</summary>
    public const string FactPrefix = "📍 ";

    /// <summary>Order accepted prefix.</summary>
    public const string OrderAccepted = "🧾 Order #";

    /// <summary>Prefix of a fact delivered after "thinking…" (a follow-up, not an acknowledgement).</summary>
    public const string FactFollowUp = "💡 ";

    /// <summary>
    /// Prefixes of messages sent later, not in answer to the user's last message (order outcomes, background facts,
    /// channel lists, broadcasts). Every other message acknowledges the user's latest command.
    /// </summary>
    public static readonly string[] FollowUpPrefixes = ["✅ ", "❌ ", "📣 ", "📺 Your channels", FactFollowUp];

    /// <summary>Whether <paramref name="text"/> is a follow-up rather than an acknowledgement.</summary>
    /// <param name="text">Message text.</param>
    public static bool IsFollowUp(string text) => FollowUpPrefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal));
}

/// <summary>
/// Handles one update. Everything slow (AI, labels, MTProto waits, broadcasts) runs in the background, so a
/// handler only decides, stores and acknowledges: the user gets an answer in milliseconds.
/// </summary>
public sealed class BotHandler
{
    private readonly BotReplies _replies;
    private readonly AntiSpam _antiSpam;
    private readonly FactsService _facts;
    private readonly ChannelsService _channels;
    private readonly LiveLocationTracker _locations;
    private readonly BroadcastService _broadcast;
    private readonly IBotStore _store;
    private readonly OrderJobRunner _orders;
    private readonly BackgroundWork _background;
    private readonly SampleMetrics _metrics;
    private readonly HashSet<long> _admins;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _knownUsers = new();

    /// <summary>Creates the handler.</summary>
    /// <param name="replies">Sender.</param>
    /// <param name="antiSpam">Per-user limit.</param>
    /// <param name="facts">Facts.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="locations">Live locations.</param>
    /// <param name="broadcast">Broadcast.</param>
    /// <param name="store">Store.</param>
    /// <param name="orders">Order jobs.</param>
    /// <param name="background">Background work tracker.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="admins">Admin user ids.</param>
    /// <param name="time">Clock.</param>
    /// <param name="logger">Logger.</param>
    public BotHandler(BotReplies replies, AntiSpam antiSpam, FactsService facts, ChannelsService channels, LiveLocationTracker locations, BroadcastService broadcast,
        IBotStore store, OrderJobRunner orders, BackgroundWork background, SampleMetrics metrics, IEnumerable<long> admins, TimeProvider time, ILogger<BotHandler> logger)
    {
        _replies = replies;
        _antiSpam = antiSpam;
        _facts = facts;
        _channels = channels;
        _locations = locations;
        _broadcast = broadcast;
        _store = store;
        _orders = orders;
        _background = background;
        _metrics = metrics;
        _admins = [.. admins];
        _time = time;
        _logger = logger;
    }

    /// <summary>Handles one update.</summary>
    /// <param name="update">Update.</param>
    /// <param name="cancellationToken">Handler timeout / shutdown.</param>
    public async Task HandleAsync(Update update, CancellationToken cancellationToken)
    {
        long? userId = update.UserId;
        long? chatId = update.ChatId;
        if (userId is not { } user || chatId is not { } chat)
        {
            return;
        }

        if (_knownUsers.TryAdd(user, 0))
        {
            await _store.UpsertUserAsync(user, chat, cancellationToken);
        }

        if (update.EditedMessage is { Location: { } moved })
        {
            // live-location edits are not user "messages": they are batched, not rate-limited per message,
            // and never answered (an edit of a refused session is dropped)
            _locations.Accept(user, moved.Latitude, moved.Longitude, isEdit: true);
            return;
        }

        long replyTo = update.Message?.MessageId ?? update.CallbackQuery?.Message?.MessageId ?? 0;
        switch (_antiSpam.Check(user, out TimeSpan wait))
        {
            case SpamVerdict.Warn:
                Interlocked.Increment(ref _metrics.SpamThrottled);
                Interlocked.Increment(ref _metrics.SpamWarnings);
                if (update.CallbackQuery?.Id is { } qid)
                {
                    await _replies.AnswerButtonAsync(qid, "Too many requests", cancellationToken);
                }

                await _replies.SendAsync(chat, string.Create(CultureInfo.InvariantCulture, $"{BotTexts.TooManyRequests} {Math.Max(1, Math.Ceiling(wait.TotalSeconds))} s."), replyTo, cancellationToken: cancellationToken);
                return;
            case SpamVerdict.Drop:
                Interlocked.Increment(ref _metrics.SpamThrottled);
                return;
        }

        if (update.CallbackQuery is { } press)
        {
            await HandleButtonAsync(press, user, chat, cancellationToken);
            return;
        }

        Message message = update.Message!;
        if (message.Location is { } loc)
        {
            await HandleLocationAsync(message, loc, user, chat, cancellationToken);
            return;
        }

        string text = message.Text?.Trim() ?? string.Empty;
        string command = text.Split(' ', 2)[0].ToLowerInvariant();
        string argument = text.Length > command.Length ? text[command.Length..].Trim() : string.Empty;
        int at = command.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            command = command[..at];
        }

        switch (command)
        {
            case "/start":
            case "/help":
                await _replies.SendAsync(chat, "Hi! /order <item>, /status, /fact <place>, /channels, send a live location. Buttons below.", message.MessageId,
                    buttons: [("My orders", "status"), ("Random fact", "fact:Lisbon")], cancellationToken: cancellationToken);
                break;
            case "/order":
                await HandleOrderAsync(update.UpdateId, message, user, chat, string.IsNullOrEmpty(argument) ? "parcel" : argument, cancellationToken);
                break;
            case "/status":
                await SendStatusAsync(user, chat, message.MessageId, cancellationToken);
                break;
            case "/fact":
                await HandleFactAsync(chat, message.MessageId, string.IsNullOrEmpty(argument) ? "Lisbon" : argument, FactsService.InteractivePriority, cancellationToken);
                break;
            case "/channels":
                await _replies.SendAsync(chat, "📺 Fetching your channels…", message.MessageId, cancellationToken: cancellationToken);
                _background.Run("channels", async ct =>
                {
                    var (source, channels, reason) = await _channels.GetChannelsAsync(user, ct);
                    string list = string.Join(", ", channels.Select(c => c.Title));
                    await _replies.SendAsync(chat, source == ChannelsSource.Live ? $"📺 Your channels: {list}" : $"📺 Your channels (cached: {reason}): {list}", null, SendLane.Bulk, cancellationToken: ct);
                });
                break;
            case "/admin_mtproto" when _admins.Contains(user):
                bool on = !argument.Equals("off", StringComparison.OrdinalIgnoreCase);
                _channels.SetEnabled(on);
                await _replies.SendAsync(chat, on ? "🔌 MTProto enabled." : "🔌 MTProto switched off: /channels serves cached data.", message.MessageId, cancellationToken: cancellationToken);
                break;
            case "/broadcast" when _admins.Contains(user):
                int recipients = await _broadcast.StartAsync(string.IsNullOrEmpty(argument) ? "hello" : argument, _background.Stopping);
                await _replies.SendAsync(chat, string.Create(CultureInfo.InvariantCulture, $"🆗 Broadcast queued to {recipients} users (bulk lane)."), message.MessageId, cancellationToken: cancellationToken);
                break;
            case "/admin_mtproto":
            case "/broadcast":
                await _replies.SendAsync(chat, "⛔ Admins only.", message.MessageId, cancellationToken: cancellationToken);
                break;
            default:
                await _replies.SendAsync(chat, "🤷 Unknown command. Try /help.", message.MessageId, cancellationToken: cancellationToken);
                break;
        }
    }

    private async Task HandleOrderAsync(long updateId, Message message, long user, long chat, string item, CancellationToken ct)
    {
        // claim-by-update: a re-delivered update finds its order instead of creating a second one
        (OrderRecord order, bool created) = await _store.CreateOrderAsync(updateId, user, chat, item, _time.GetUtcNow(), ct);
        if (created)
        {
            Interlocked.Increment(ref _metrics.OrdersCreated);
            _orders.Nudge();
        }

        await _replies.SendAsync(chat, string.Create(CultureInfo.InvariantCulture, $"{BotTexts.OrderAccepted}{order.Id} accepted ({item}); your label is being generated."), message.MessageId, cancellationToken: ct);
    }

    private async Task SendStatusAsync(long user, long chat, long replyTo, CancellationToken ct)
    {
        IReadOnlyList<OrderRecord> orders = await _store.GetOrdersAsync(user, ct);
        string text = orders.Count == 0
            ? "You have no orders yet."
            : "Your orders: " + string.Join(", ", orders.TakeLast(5).Select(o => string.Create(CultureInfo.InvariantCulture, $"#{o.Id} {o.Status.ToString().ToLowerInvariant()}")));
        await _replies.SendAsync(chat, text, replyTo, cancellationToken: ct);
    }

    private async Task HandleFactAsync(long chat, long replyTo, string place, int priority, CancellationToken ct)
    {
        Interlocked.Increment(ref _metrics.FactRequests);
        string? cached = await _facts.TryGetCachedAsync(place, ct);
        if (cached is not null)
        {
            Interlocked.Increment(ref _metrics.FactCacheHits);
            await _replies.SendAsync(chat, BotTexts.FactPrefix + place + ": " + cached, replyTo, cancellationToken: ct);
            return;
        }

        if (_facts.IsSaturated)
        {
            Interlocked.Increment(ref _metrics.FactsOverloaded);
            await _replies.SendAsync(chat, BotTexts.Overloaded, replyTo, cancellationToken: ct);
            return;
        }

        await _replies.SendAsync(chat, BotTexts.Thinking, replyTo, cancellationToken: ct);
        _background.Run("fact", async stopping =>
        {
            (FactOutcome outcome, string? fact) = await _facts.GetFactAsync(place, priority, stopping);
            string text = outcome switch
            {
                FactOutcome.Ok => BotTexts.FactFollowUp + place + ": " + fact,
                FactOutcome.Overloaded => BotTexts.FactFollowUp + BotTexts.Overloaded,
                FactOutcome.Unavailable => BotTexts.FactFollowUp + "The facts service is resting after errors, try again in a few minutes.",
                _ => BotTexts.FactFollowUp + "Could not get a fact this time, please try again.",
            };
            if (outcome == FactOutcome.Ok)
            {
                Interlocked.Increment(ref _metrics.FactsDelivered);
            }

            // follow-ups ride the bulk lane: acknowledgements of other users always go first
            await _replies.SendAsync(chat, text, replyTo, SendLane.Bulk, cancellationToken: stopping);
        });
    }

    private async Task HandleLocationAsync(Message message, Location loc, long user, long chat, CancellationToken ct)
    {
        if (loc.LivePeriod is null)
        {
            string place = string.Create(CultureInfo.InvariantCulture, $"{loc.Latitude:F2},{loc.Longitude:F2}");
            await HandleFactAsync(chat, message.MessageId, place, FactsService.InteractivePriority, ct);
            return;
        }

        switch (_locations.Accept(user, loc.Latitude, loc.Longitude))
        {
            case LocationVerdict.Overloaded:
                await _replies.SendAsync(chat, BotTexts.Overloaded, message.MessageId, cancellationToken: ct);
                break;
            default:
                await _replies.SendAsync(chat, "📡 Tracking your live location; facts about nearby places will follow.", message.MessageId, cancellationToken: ct);
                break;
        }
    }

    private async Task HandleButtonAsync(CallbackQuery press, long user, long chat, CancellationToken ct)
    {
        await _replies.AnswerButtonAsync(press.Id ?? string.Empty, null, ct);
        long replyTo = press.Message?.MessageId ?? 0;
        string data = press.Data ?? string.Empty;
        if (data.StartsWith("fact:", StringComparison.Ordinal))
        {
            await HandleFactAsync(chat, replyTo, data[5..], FactsService.InteractivePriority, ct);
        }
        else
        {
            await SendStatusAsync(user, chat, replyTo, ct);
        }
    }

    /// <summary>Processes one batched live-location update (low priority fact lookup, cache only when busy).</summary>
    /// <param name="user">User.</param>
    /// <param name="lat">Latitude.</param>
    /// <param name="lon">Longitude.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task ProcessLocationUpdateAsync(long user, double lat, double lon, CancellationToken ct)
    {
        string place = string.Create(CultureInfo.InvariantCulture, $"{lat:F1},{lon:F1}");
        _ = await _facts.TryGetCachedAsync(place, ct);
        _logger.LogDebug("location of {User} at {Place}", user, place);
    }
}
