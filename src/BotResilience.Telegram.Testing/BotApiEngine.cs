using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BotResilience.Telegram.Testing.Chats;
using BotResilience.Telegram.Testing.Limits;
using BotResilience.Telegram.Testing.Protocol;
using BotResilience.Telegram.Testing.Updates;
using BotResilience.Telegram.Testing.Webhooks;

namespace BotResilience.Telegram.Testing;

/// <summary>
/// The transport-neutral Bot API: routing, token check, fault injection, the methods, limits, records and
/// injected updates. Kestrel and the in-memory handler both call <see cref="ProcessAsync"/>.
/// </summary>
internal sealed partial class BotApiEngine : IAsyncDisposable
{
    private const int MaxTextLength = 4096;
    private const int MaxCaptionLength = 1024;

    private static readonly HashSet<string> ChatActions = new(StringComparer.Ordinal)
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    };

    private readonly BotApiEmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly ChatDirectory _chats = new();
    private readonly SendLimits _limits;
    private readonly List<SentMessage> _sent = [];
    private readonly List<SentMessage> _edited = [];
    private readonly List<BotApiCall> _calls = [];
    private readonly Dictionary<string, bool> _callbackQueries = new(StringComparer.Ordinal);
    private readonly Dictionary<long, long> _liveLocations = [];
    private readonly CancellationTokenSource _disposing = new();
    private long _fileCounter;
    private long _callbackCounter;
    private long _lastBotId = 1;

    public BotApiEngine(BotApiEmulatorOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _limits = new SendLimits(options);
        Counters = new EmulatorCounters();
        Updates = new UpdateQueue();
        Faults = new BotApiFaults(
            options.RandomSeed is { } seed ? new Random(seed) : new Random(),
            Flood,
            Migrate,
            Block);
        Webhooks = new WebhookDispatcher(options, Updates, Counters, ProcessWebhookReplyAsync);
    }

    public event Action<SentMessage>? MessageAccepted;

    public EmulatorCounters Counters { get; }

    public UpdateQueue Updates { get; }

    public BotApiFaults Faults { get; }

    public WebhookDispatcher Webhooks { get; }

    public BotApiEmulatorOptions Options => _options;

    public IReadOnlyList<SentMessage> SentMessages
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public int SentMessageCount
    {
        get
        {
            lock (_gate)
            {
                return _sent.Count;
            }
        }
    }

    public IReadOnlyList<SentMessage> EditedMessages
    {
        get
        {
            lock (_gate)
            {
                return [.. _edited];
            }
        }
    }

    public IReadOnlyList<BotApiCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public long GetTooManyRequestsCount(long chatId)
    {
        lock (_gate)
        {
            return _chats.TryFind(chatId, out var chat) ? chat.TooManyRequestsCount : 0;
        }
    }

    public List<SentMessage> GetSentMessages(long chatId)
    {
        lock (_gate)
        {
            return _sent.FindAll(m => m.ChatId == chatId);
        }
    }

    public void ClearRecords()
    {
        lock (_gate)
        {
            _sent.Clear();
            _edited.Clear();
            _calls.Clear();
        }

        Counters.Changed.Pulse();
    }

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        Updates.TerminatePoll();
        await Webhooks.DisposeAsync().ConfigureAwait(false);

        // _disposing is cancelled, not disposed: requests still in flight may read its token (it owns no timer).
    }

    public async ValueTask<BotApiResponse> ProcessAsync(BotApiRequest request, CancellationToken cancellationToken)
    {
        Counters.Increment(ref Counters.Requests);
        var arrivedAt = _time.GetUtcNow();
        var arrivedTimestamp = _time.GetTimestamp();
        var empty = (IReadOnlyDictionary<string, string>)new Dictionary<string, string>();
        if (!TryParsePath(request.Path, out var token, out var methodName))
        {
            return Finish(BotApiJson.NotFound(), methodName, empty, chat: null, arrivedAt, arrivedTimestamp);
        }

        if (!IsAccepted(token))
        {
            return Finish(BotApiJson.Unauthorized(), methodName, empty, chat: null, arrivedAt, arrivedTimestamp);
        }

        var (parameters, parseError) = await BotApiParameters.ParseAsync(request, cancellationToken).ConfigureAwait(false);
        if (parameters is null)
        {
            return Finish(BotApiJson.BadRequest(parseError!), methodName, empty, chat: null, arrivedAt, arrivedTimestamp);
        }

        var known = BotApiMethods.ByName.TryGetValue(methodName, out var method);
        var isSend = known && BotApiMethods.IsMessageSend(method);
        var latency = Faults.NextLatency();
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _time, cancellationToken).ConfigureAwait(false);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var call = new CallContext(methodName, parameters, token);
        Volatile.Write(ref _lastBotId, BotId(token));
        BotApiResponse response;
        if (Faults.TryTake(methodName, isSend, out var fault, out var value))
        {
            response = fault switch
            {
                BotApiFaults.FaultKind.Drop => BotApiResponse.Abort,
                BotApiFaults.FaultKind.ServerError => BotApiJson.ServerError(value),
                _ => BotApiJson.TooManyRequests(value),
            };
            if (fault == BotApiFaults.FaultKind.TooManyRequests)
            {
                lock (_gate)
                {
                    call.Chat = _chats.TryResolve(parameters.GetString("chat_id"), out var chat) ? chat : null;
                }
            }
        }
        else if (!known)
        {
            response = BotApiJson.NotFound();
        }
        else
        {
            response = await DispatchAsync(method, call, linked.Token).ConfigureAwait(false);
        }

        return Finish(response, methodName, parameters.Values, call.Chat, arrivedAt, arrivedTimestamp);
    }

    public long EnqueueUpdate(string updateJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(updateJson);
        JsonObject update;
        try
        {
            update = JsonNode.Parse(updateJson) as JsonObject
                ?? throw new ArgumentException("The update must be a JSON object.", nameof(updateJson));
        }
        catch (JsonException exception)
        {
            throw new ArgumentException("The update is not valid JSON: " + exception.Message, nameof(updateJson), exception);
        }

        return Enqueue(id =>
        {
            update["update_id"] = id;
            return update.ToJsonString();
        });
    }

    public long SendUserMessage(long userId, string text, long? chatId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(userId);
        ArgumentException.ThrowIfNullOrEmpty(text);
        return EnqueueMessage(userId, chatId, "message", (writer, state) =>
        {
            writer.WriteString("text", state);
            if (state.StartsWith('/'))
            {
                var end = state.IndexOfAny([' ', '\n']);
                writer.WriteStartArray("entities");
                writer.WriteStartObject();
                writer.WriteNumber("offset", 0);
                writer.WriteNumber("length", end < 0 ? state.Length : end);
                writer.WriteString("type", "bot_command");
                writer.WriteEndObject();
                writer.WriteEndArray();
            }
        }, text, storedText: text, editedMessageId: null);
    }

    public long SendLocation(long userId, double latitude, double longitude, int? livePeriod, long? chatId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(userId);
        ValidateLocation(latitude, longitude);
        if (livePeriod is { } period && period != int.MaxValue && (period < 60 || period > 86_400))
        {
            throw new ArgumentOutOfRangeException(nameof(livePeriod), livePeriod, "livePeriod must be between 60 and 86400 seconds, or int.MaxValue (indefinitely).");
        }

        return EnqueueMessage(userId, chatId, "message", static (writer, state) => WriteLocation(writer, state), (latitude, longitude, livePeriod), storedText: null, editedMessageId: null, trackLive: livePeriod is not null);
    }

    public long UpdateLiveLocation(long userId, double latitude, double longitude, long? chatId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(userId);
        ValidateLocation(latitude, longitude);
        long messageId;
        lock (_gate)
        {
            if (!_liveLocations.TryGetValue(chatId ?? userId, out messageId))
            {
                throw new InvalidOperationException("No live location was started in this chat; call SendLocation with a livePeriod first.");
            }
        }

        return EnqueueMessage(userId, chatId, "edited_message", static (writer, state) => WriteLocation(writer, state), (latitude, longitude, (int?)null), storedText: null, editedMessageId: messageId);
    }

    public long PressButton(long userId, string data, long? messageId, long? chatId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(userId);
        ArgumentException.ThrowIfNullOrEmpty(data);
        var chatKey = chatId ?? userId;
        string queryId;
        SentMessage? message;
        EmulatedChat chat;
        lock (_gate)
        {
            chat = _chats.Get(chatKey);
            queryId = string.Create(CultureInfo.InvariantCulture, $"{userId}{++_callbackCounter:D6}");
            _callbackQueries[queryId] = false;
            message = messageId is { } id
                ? _sent.FindLast(m => m.ChatId == chatKey && m.MessageId == id)
                : _sent.FindLast(m => m.ChatId == chatKey);
        }

        var date = _time.GetUtcNow().ToUnixTimeSeconds();
        var botId = Volatile.Read(ref _lastBotId);
        return Enqueue(updateId => WriteJson((updateId, userId, data, queryId, message, chat, messageId, date, botId, _options), static (writer, s) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("update_id", s.updateId);
            writer.WriteStartObject("callback_query");
            writer.WriteString("id", s.queryId);
            WriteUser(writer, "from", s.userId);
            var messageId = s.message?.MessageId ?? s.messageId;
            if (messageId is { } id)
            {
                writer.WriteStartObject("message");
                writer.WriteNumber("message_id", id);
                WriteBotFrom(writer, s.chat, s.botId, s._options);
                WriteChat(writer, s.chat);
                writer.WriteNumber("date", s.message?.ReceivedAt.ToUnixTimeSeconds() ?? s.date);
                if (s.message?.Text is { } text)
                {
                    writer.WriteString("text", text);
                }

                if (s.message?.ReplyMarkup is { } markup)
                {
                    writer.WritePropertyName("reply_markup");
                    writer.WriteRawValue(markup);
                }

                writer.WriteEndObject();
            }

            writer.WriteString("chat_instance", s.chat.Id.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("data", s.data);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }));
    }

    private static void WriteLocation(Utf8JsonWriter writer, (double Latitude, double Longitude, int? LivePeriod) state)
    {
        writer.WriteStartObject("location");
        writer.WriteNumber("latitude", state.Latitude);
        writer.WriteNumber("longitude", state.Longitude);
        if (state.LivePeriod is { } period)
        {
            writer.WriteNumber("live_period", period);
        }

        writer.WriteEndObject();
    }

    private static void ValidateLocation(double latitude, double longitude)
    {
        if (!(latitude >= -90 && latitude <= 90))
        {
            throw new ArgumentOutOfRangeException(nameof(latitude), latitude, "latitude must be between -90 and 90.");
        }

        if (!(longitude >= -180 && longitude <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(longitude), longitude, "longitude must be between -180 and 180.");
        }
    }

    private long EnqueueMessage<TState>(long userId, long? chatId, string kind, Action<Utf8JsonWriter, TState> writeContent, TState state,
        string? storedText, long? editedMessageId, bool trackLive = false)
    {
        EmulatedChat chat;
        long messageId;
        lock (_gate)
        {
            chat = _chats.Get(chatId ?? userId);
            messageId = editedMessageId ?? chat.NextMessageId();
            if (editedMessageId is null)
            {
                chat.Messages[messageId] = storedText;
            }

            if (trackLive)
            {
                _liveLocations[chat.Id] = messageId;
            }
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        return Enqueue(updateId => WriteJson((updateId, userId, kind, chat, messageId, now, editedMessageId, writeContent, state), static (writer, s) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("update_id", s.updateId);
            writer.WriteStartObject(s.kind);
            writer.WriteNumber("message_id", s.messageId);
            WriteUser(writer, "from", s.userId);
            WriteChat(writer, s.chat);
            writer.WriteNumber("date", s.now);
            if (s.editedMessageId is not null)
            {
                writer.WriteNumber("edit_date", s.now);
            }

            s.writeContent(writer, s.state);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }));
    }

    private long Enqueue(Func<long, string> build)
    {
        var id = Updates.Enqueue(build);
        Counters.Increment(ref Counters.UpdatesEnqueued);
        return id;
    }

    private void Flood(long? chatId, int retryAfterSeconds)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (retryAfterSeconds == 0)
            {
                _limits.BotPenaltyUntil = long.MinValue;
                foreach (var chat in _chats.All)
                {
                    chat.PenaltyUntil = long.MinValue;
                }

                return;
            }

            var until = now + _limits.ToTicks(retryAfterSeconds);
            if (chatId is { } id)
            {
                var chat = _chats.Get(id);
                chat.PenaltyUntil = Math.Max(chat.PenaltyUntil, until);
            }
            else
            {
                _limits.BotPenaltyUntil = Math.Max(_limits.BotPenaltyUntil, until);
            }
        }
    }

    private void Migrate(long chatId, long? supergroupChatId)
    {
        lock (_gate)
        {
            if (supergroupChatId is null)
            {
                foreach (var chat in _chats.All)
                {
                    chat.MigratedTo = null;
                }

                return;
            }

            _chats.Get(chatId).MigratedTo = supergroupChatId;
        }
    }

    private void Block(long? chatId, bool blocked)
    {
        lock (_gate)
        {
            if (chatId is { } id)
            {
                _chats.Get(id).BlockedBot = blocked;
                return;
            }

            foreach (var chat in _chats.All)
            {
                chat.BlockedBot = false;
            }
        }
    }

    private BotApiResponse Finish(BotApiResponse response, string methodName, IReadOnlyDictionary<string, string> parameters, EmulatedChat? chat,
        DateTimeOffset arrivedAt, long arrivedTimestamp)
    {
        var status = response.AbortConnection ? 0 : response.StatusCode;
        lock (_gate)
        {
            if (_options.RecordCalls)
            {
                _calls.Add(new BotApiCall(methodName, status, parameters, arrivedAt, arrivedTimestamp));
            }

            if (status == 429 && chat is not null)
            {
                chat.TooManyRequestsCount++;
            }
        }

        switch (status)
        {
            case 0:
                Counters.Increment(ref Counters.DroppedConnections);
                break;
            case 429:
                Counters.Increment(ref Counters.TooManyRequests);
                break;
            case >= 500:
                Counters.Increment(ref Counters.ServerErrors);
                break;
            case >= 400:
                Counters.Increment(ref Counters.ClientErrors);
                break;
            default:
                break;
        }

        return response;
    }

    private bool IsAccepted(string token)
    {
        if (_options.AcceptedTokens.Count == 0)
        {
            return BotApiEmulatorOptions.IsWellFormedToken(token);
        }

        foreach (var accepted in _options.AcceptedTokens)
        {
            if (string.Equals(accepted, token, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads <c>/bot&lt;token&gt;/&lt;method&gt;</c> (any number of leading slashes).</summary>
    private static bool TryParsePath(string path, out string token, out string method)
    {
        token = string.Empty;
        method = string.Empty;
        var span = path.AsSpan().TrimStart('/');
        if (!span.StartsWith("bot", StringComparison.Ordinal))
        {
            method = span.ToString();
            return false;
        }

        span = span[3..];
        var slash = span.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        token = Uri.UnescapeDataString(span[..slash].ToString());
        var rest = span[(slash + 1)..].TrimEnd('/');
        method = rest.ToString();
        return rest.Length > 0 && rest.IndexOf('/') < 0;
    }

    private ValueTask<BotApiResponse> DispatchAsync(BotApiMethod method, CallContext call, CancellationToken cancellationToken) => method switch
    {
        BotApiMethod.GetMe => new(GetMe(call)),
        BotApiMethod.SendMessage or BotApiMethod.SendPhoto or BotApiMethod.SendDocument => new(Send(method, call)),
        BotApiMethod.EditMessageText => new(EditMessageText(call)),
        BotApiMethod.DeleteMessage => new(DeleteMessage(call)),
        BotApiMethod.SendChatAction => new(SendChatAction(call)),
        BotApiMethod.AnswerCallbackQuery => new(AnswerCallbackQuery(call)),
        BotApiMethod.GetUpdates => GetUpdatesAsync(call, cancellationToken),
        BotApiMethod.SetWebhook => SetWebhookAsync(call),
        BotApiMethod.DeleteWebhook => DeleteWebhookAsync(call),
        _ => new(GetWebhookInfo()),
    };

    private BotApiResponse GetMe(CallContext call)
        => BotApiJson.Ok((BotId(call.Token), _options), static (writer, s) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", s.Item1);
            writer.WriteBoolean("is_bot", true);
            writer.WriteString("first_name", s._options.BotFirstName);
            writer.WriteString("username", s._options.BotUsername);
            writer.WriteBoolean("can_join_groups", true);
            writer.WriteBoolean("can_read_all_group_messages", false);
            writer.WriteBoolean("supports_inline_queries", false);
            writer.WriteEndObject();
        });

    private BotApiResponse Send(BotApiMethod method, CallContext call)
    {
        var p = call.Parameters;
        string? text;
        string? fileName = null;
        string? mediaType = null;
        long fileSize = 0;
        switch (method)
        {
            case BotApiMethod.SendMessage:
                text = p.GetString("text");
                if (string.IsNullOrEmpty(text))
                {
                    return Resolve(call) ? BotApiJson.BadRequest("Bad Request: message text is empty") : BotApiJson.BadRequest("Bad Request: chat not found");
                }

                if (text.Length > MaxTextLength)
                {
                    return BotApiJson.BadRequest("Bad Request: message is too long");
                }

                break;
            default:
                var field = method == BotApiMethod.SendPhoto ? "photo" : "document";
                var file = p.GetFile(field);
                var reference = p.GetString(field);
                if (file is not null)
                {
                    fileName = file.FileName;
                    mediaType = file.ContentType;
                    fileSize = file.Length;
                }
                else if (!string.IsNullOrEmpty(reference))
                {
                    fileName = reference;
                }
                else
                {
                    return BotApiJson.BadRequest($"Bad Request: there is no {field} in the request");
                }

                text = p.GetString("caption");
                if (text is { Length: > MaxCaptionLength })
                {
                    return BotApiJson.BadRequest("Bad Request: message caption is too long");
                }

                break;
        }

        var replyMarkup = p.GetString("reply_markup");
        if (replyMarkup is not null && !IsJsonObject(replyMarkup))
        {
            return BotApiJson.BadRequest("Bad Request: can't parse reply keyboard markup JSON object");
        }

        var paid = p.GetBoolean("allow_paid_broadcast");
        var now = _time.GetTimestamp();
        var at = _time.GetUtcNow();
        SentMessage record;
        EmulatedChat chat;
        long fileNumber;
        lock (_gate)
        {
            if (!_chats.TryResolve(p.GetString("chat_id"), out chat))
            {
                return BotApiJson.BadRequest("Bad Request: chat not found");
            }

            call.Chat = chat;
            if (chat.MigratedTo is { } migrated)
            {
                return BotApiJson.Error(400, "Bad Request: group chat was upgraded to a supergroup chat", retryAfter: null, migrateToChatId: migrated);
            }

            if (chat.BlockedBot)
            {
                return BotApiJson.Error(403, "Forbidden: bot was blocked by the user");
            }

            var retryAfter = _limits.TryAdmit(chat, paid, now);
            if (retryAfter > 0)
            {
                return BotApiJson.TooManyRequests(retryAfter);
            }

            var messageId = chat.NextMessageId();
            chat.Messages[messageId] = text;
            fileNumber = ++_fileCounter;
            record = new SentMessage(_sent.Count + 1, BotApiMethods.CanonicalName(method), chat.Id, chat.Type, chat.Username, messageId, text,
                fileName, replyMarkup, p.GetString("parse_mode"), paid, at, now);
            _sent.Add(record);
        }

        Counters.Increment(ref Counters.AcceptedMessages);
        MessageAccepted?.Invoke(record);
        return BotApiJson.Ok((record, chat, BotId(call.Token), method, mediaType, fileSize, fileNumber, _options), static (writer, s) =>
        {
            WriteMessageStart(writer, s.record, s.chat, s.Item3, s._options, editDate: null);
            if (s.method == BotApiMethod.SendMessage)
            {
                writer.WriteString("text", s.record.Text);
            }
            else
            {
                var fileId = string.Create(CultureInfo.InvariantCulture, $"EMU{s.fileNumber:D10}");
                var uniqueId = string.Create(CultureInfo.InvariantCulture, $"U{s.fileNumber:D8}");
                if (s.method == BotApiMethod.SendPhoto)
                {
                    writer.WriteStartArray("photo");
                    writer.WriteStartObject();
                    writer.WriteString("file_id", fileId);
                    writer.WriteString("file_unique_id", uniqueId);
                    writer.WriteNumber("file_size", s.fileSize);
                    writer.WriteNumber("width", 800);
                    writer.WriteNumber("height", 600);
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteStartObject("document");
                    writer.WriteString("file_id", fileId);
                    writer.WriteString("file_unique_id", uniqueId);
                    writer.WriteString("file_name", s.record.FileName);
                    writer.WriteString("mime_type", s.mediaType ?? "application/octet-stream");
                    writer.WriteNumber("file_size", s.fileSize);
                    writer.WriteEndObject();
                }

                if (s.record.Text is { } caption)
                {
                    writer.WriteString("caption", caption);
                }
            }

            WriteReplyMarkup(writer, s.record.ReplyMarkup);
            writer.WriteEndObject();
        });
    }

    private BotApiResponse EditMessageText(CallContext call)
    {
        var p = call.Parameters;
        var text = p.GetString("text");
        if (string.IsNullOrEmpty(text))
        {
            return BotApiJson.BadRequest("Bad Request: message text is empty");
        }

        if (text.Length > MaxTextLength)
        {
            return BotApiJson.BadRequest("Bad Request: message is too long");
        }

        var replyMarkup = p.GetString("reply_markup");
        if (replyMarkup is not null && !IsJsonObject(replyMarkup))
        {
            return BotApiJson.BadRequest("Bad Request: can't parse reply keyboard markup JSON object");
        }

        if (p.GetString("inline_message_id") is { Length: > 0 } && !p.Has("chat_id"))
        {
            return BotApiJson.OkTrue();
        }

        var now = _time.GetTimestamp();
        var at = _time.GetUtcNow();
        SentMessage record;
        EmulatedChat chat;
        lock (_gate)
        {
            if (!_chats.TryResolve(p.GetString("chat_id"), out chat))
            {
                return BotApiJson.BadRequest("Bad Request: chat not found");
            }

            call.Chat = chat;
            if (!p.TryGetInt64("message_id", out var messageId) || !chat.Messages.TryGetValue(messageId, out var current))
            {
                return BotApiJson.BadRequest("Bad Request: message to edit not found");
            }

            var original = _sent.FindLast(m => m.ChatId == chat.Id && m.MessageId == messageId);
            var previousMarkup = _edited.FindLast(m => m.ChatId == chat.Id && m.MessageId == messageId)?.ReplyMarkup ?? original?.ReplyMarkup;
            if (string.Equals(current, text, StringComparison.Ordinal) && string.Equals(previousMarkup, replyMarkup, StringComparison.Ordinal))
            {
                return BotApiJson.BadRequest("Bad Request: message is not modified: specified new message content and reply markup of the specified message are exactly the same as a current content and reply markup of the message");
            }

            chat.Messages[messageId] = text;
            record = new SentMessage(_edited.Count + 1, "editMessageText", chat.Id, chat.Type, chat.Username, messageId, text,
                fileName: null, replyMarkup, p.GetString("parse_mode"), paidBroadcast: false, at, now);
            _edited.Add(record);
        }

        Counters.Changed.Pulse();
        return BotApiJson.Ok((record, chat, BotId(call.Token), at.ToUnixTimeSeconds(), _options), static (writer, s) =>
        {
            WriteMessageStart(writer, s.record, s.chat, s.Item3, s._options, s.Item4);
            writer.WriteString("text", s.record.Text);
            WriteReplyMarkup(writer, s.record.ReplyMarkup);
            writer.WriteEndObject();
        });
    }

    private BotApiResponse DeleteMessage(CallContext call)
    {
        var p = call.Parameters;
        lock (_gate)
        {
            if (!_chats.TryResolve(p.GetString("chat_id"), out var chat))
            {
                return BotApiJson.BadRequest("Bad Request: chat not found");
            }

            call.Chat = chat;
            if (!p.TryGetInt64("message_id", out var messageId) || !chat.Messages.Remove(messageId))
            {
                return BotApiJson.BadRequest("Bad Request: message to delete not found");
            }
        }

        return BotApiJson.OkTrue();
    }

    private BotApiResponse SendChatAction(CallContext call)
    {
        var p = call.Parameters;
        lock (_gate)
        {
            if (!_chats.TryResolve(p.GetString("chat_id"), out var chat))
            {
                return BotApiJson.BadRequest("Bad Request: chat not found");
            }

            call.Chat = chat;
        }

        return p.GetString("action") is { } action && ChatActions.Contains(action)
            ? BotApiJson.OkTrue()
            : BotApiJson.BadRequest("Bad Request: wrong parameter action in request");
    }

    private BotApiResponse AnswerCallbackQuery(CallContext call)
    {
        var id = call.Parameters.GetString("callback_query_id");
        lock (_gate)
        {
            if (id is null || !_callbackQueries.TryGetValue(id, out var answered) || answered)
            {
                return BotApiJson.BadRequest("Bad Request: query is too old and response timeout expired or query ID is invalid");
            }

            _callbackQueries[id] = true;
        }

        return BotApiJson.OkTrue();
    }

    private async ValueTask<BotApiResponse> GetUpdatesAsync(CallContext call, CancellationToken cancellationToken)
    {
        if (Webhooks.Current is not null)
        {
            return BotApiJson.Error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        }

        var p = call.Parameters;
        _ = p.TryGetInt64("offset", out var offset);
        var limit = p.TryGetInt64("limit", out var l) ? (int)Math.Clamp(l, 1, 100) : 100;
        var timeout = p.TryGetInt64("timeout", out var t) ? TimeSpan.FromSeconds(Math.Clamp(t, 0, 3600)) : TimeSpan.Zero;
        var (outcome, updates) = await Updates.PollAsync(offset, limit, timeout, _time, cancellationToken).ConfigureAwait(false);
        if (outcome == UpdateQueue.PollOutcome.Terminated)
        {
            return Webhooks.Current is not null
                ? BotApiJson.Error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
                : BotApiJson.Error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
        }

        return BotApiJson.Ok(updates, static (writer, list) =>
        {
            writer.WriteStartArray();
            foreach (var json in list)
            {
                writer.WriteRawValue(json, skipInputValidation: true);
            }

            writer.WriteEndArray();
        });
    }

    private async ValueTask<BotApiResponse> SetWebhookAsync(CallContext call)
    {
        var p = call.Parameters;
        var url = p.GetString("url");
        if (string.IsNullOrEmpty(url))
        {
            return await DeleteWebhookAsync(call).ConfigureAwait(false);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return BotApiJson.BadRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        }

        var maxConnections = 40;
        if (p.Has("max_connections"))
        {
            if (!p.TryGetInt64("max_connections", out var max) || max is < 1 or > 100)
            {
                return BotApiJson.BadRequest("Bad Request: bad webhook: max_connections must be between 1 and 100");
            }

            maxConnections = (int)max;
        }

        var secret = p.GetString("secret_token");
        if (secret is not null && !SecretTokenPattern().IsMatch(secret))
        {
            return BotApiJson.BadRequest("Bad Request: bad webhook: secret token contains unallowed characters");
        }

        if (p.GetBoolean("drop_pending_updates"))
        {
            Updates.DropAll();
        }

        Updates.TerminatePoll();
        await Webhooks.SetAsync(new WebhookRegistration(uri, secret, maxConnections, p.GetString("allowed_updates"))).ConfigureAwait(false);
        return WithDescription("Webhook was set");
    }

    private async ValueTask<BotApiResponse> DeleteWebhookAsync(CallContext call)
    {
        var existed = Webhooks.Current is not null;
        await Webhooks.SetAsync(null).ConfigureAwait(false);
        if (call.Parameters.GetBoolean("drop_pending_updates"))
        {
            Updates.DropAll();
        }

        return WithDescription(existed ? "Webhook was deleted" : "Webhook is already deleted");
    }

    private BotApiResponse GetWebhookInfo()
    {
        var registration = Webhooks.Current;
        var pending = Updates.PendingCount;
        return BotApiJson.Ok((registration, pending), static (writer, s) =>
        {
            writer.WriteStartObject();
            writer.WriteString("url", s.registration?.Url.ToString() ?? string.Empty);
            writer.WriteBoolean("has_custom_certificate", false);
            writer.WriteNumber("pending_update_count", s.pending);
            if (s.registration is { } r)
            {
                writer.WriteNumber("max_connections", r.MaxConnections);
                writer.WriteString("ip_address", "127.0.0.1");
                if (r.LastErrorMessage is { } error)
                {
                    writer.WriteNumber("last_error_date", r.LastErrorDate);
                    writer.WriteString("last_error_message", error);
                }

                if (r.AllowedUpdates is { } allowed && allowed.StartsWith('['))
                {
                    writer.WritePropertyName("allowed_updates");
                    writer.WriteRawValue(allowed);
                }
            }

            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// A webhook answer that carries a method call (Telegram's "reply in the webhook response"). Run detached, as
    /// Telegram does (the bot never sees its result), so a reply such as <c>deleteWebhook</c> cannot wait on the very
    /// delivery that carried it.
    /// </summary>
    private Task ProcessWebhookReplyAsync(string? contentType, byte[] body)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var request = new BotApiRequest("POST", string.Empty, queryString: null, contentType, body);
                var (parameters, _) = await BotApiParameters.ParseAsync(request, _disposing.Token).ConfigureAwait(false);
                if (parameters?.GetString("method") is not { Length: > 0 } method)
                {
                    return;
                }

                var token = _options.AcceptedTokens.Count > 0 ? _options.AcceptedTokens[0] : "1:webhook-reply";
                var path = string.Create(CultureInfo.InvariantCulture, $"/bot{token}/{Uri.EscapeDataString(method)}");
                await ProcessAsync(new BotApiRequest("POST", path, queryString: null, contentType, body), _disposing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The emulator is being disposed.
            }
        });
        return Task.CompletedTask;
    }

    private static BotApiResponse WithDescription(string description)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", true);
            writer.WriteBoolean("result", true);
            writer.WriteString("description", description);
            writer.WriteEndObject();
        }

        return new BotApiResponse(200, buffer.WrittenSpan.ToArray(), AbortConnection: false);
    }

    private bool Resolve(CallContext call)
    {
        lock (_gate)
        {
            if (_chats.TryResolve(call.Parameters.GetString("chat_id"), out var chat))
            {
                call.Chat = chat;
                return true;
            }

            return false;
        }
    }

    private static long BotId(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(token.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 1;
    }

    private static bool IsJsonObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string WriteJson<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMessageStart(Utf8JsonWriter writer, SentMessage record, EmulatedChat chat, long botId, BotApiEmulatorOptions options, long? editDate)
    {
        writer.WriteStartObject();
        writer.WriteNumber("message_id", record.MessageId);
        WriteBotFrom(writer, chat, botId, options);
        WriteChat(writer, chat);
        writer.WriteNumber("date", record.ReceivedAt.ToUnixTimeSeconds());
        if (editDate is { } edited)
        {
            writer.WriteNumber("edit_date", edited);
        }
    }

    private static void WriteBotFrom(Utf8JsonWriter writer, EmulatedChat chat, long botId, BotApiEmulatorOptions options)
    {
        if (chat.Type == "channel")
        {
            writer.WriteStartObject("sender_chat");
            writer.WriteNumber("id", chat.Id);
            writer.WriteString("type", "channel");
            writer.WriteString("title", chat.Username ?? "Channel");
            writer.WriteEndObject();
            return;
        }

        writer.WriteStartObject("from");
        writer.WriteNumber("id", botId);
        writer.WriteBoolean("is_bot", true);
        writer.WriteString("first_name", options.BotFirstName);
        writer.WriteString("username", options.BotUsername);
        writer.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter writer, string property, long userId)
    {
        writer.WriteStartObject(property);
        writer.WriteNumber("id", userId);
        writer.WriteBoolean("is_bot", false);
        writer.WriteString("first_name", string.Create(CultureInfo.InvariantCulture, $"User {userId}"));
        writer.WriteString("username", string.Create(CultureInfo.InvariantCulture, $"user_{userId}"));
        writer.WriteString("language_code", "en");
        writer.WriteEndObject();
    }

    private static void WriteChat(Utf8JsonWriter writer, EmulatedChat chat)
    {
        writer.WriteStartObject("chat");
        writer.WriteNumber("id", chat.Id);
        writer.WriteString("type", chat.Type);
        if (chat.IsPrivate)
        {
            writer.WriteString("first_name", string.Create(CultureInfo.InvariantCulture, $"User {chat.Id}"));
            writer.WriteString("username", string.Create(CultureInfo.InvariantCulture, $"user_{chat.Id}"));
        }
        else
        {
            writer.WriteString("title", chat.Username ?? string.Create(CultureInfo.InvariantCulture, $"Chat {chat.Id}"));
            if (chat.Username is { } username)
            {
                writer.WriteString("username", username);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteReplyMarkup(Utf8JsonWriter writer, string? replyMarkup)
    {
        if (replyMarkup is not null && replyMarkup.Contains("\"inline_keyboard\"", StringComparison.Ordinal))
        {
            writer.WritePropertyName("reply_markup");
            writer.WriteRawValue(replyMarkup);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretTokenPattern();

    private sealed class CallContext(string methodName, BotApiParameters parameters, string token)
    {
        public string MethodName { get; } = methodName;

        public BotApiParameters Parameters { get; } = parameters;

        public string Token { get; } = token;

        public EmulatedChat? Chat { get; set; }
    }
}
