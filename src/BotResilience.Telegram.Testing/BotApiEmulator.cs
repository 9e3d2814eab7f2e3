using BotResilience.Telegram.Testing.Hosting;

namespace BotResilience.Telegram.Testing;

/// <summary>
/// An in-process Telegram Bot API server that enforces Telegram's sending limits (per chat, per group, global,
/// paid broadcast) with Telegram's exact 429 answers, so bots can be tested against floods before production.
/// Serve it over real HTTP on 127.0.0.1 (<see cref="StartAsync"/>, then <see cref="BaseAddress"/>) or in memory
/// (<see cref="CreateHandler"/>, no sockets, no start needed); both run the same logic and share state.
/// </summary>
/// <remarks>
/// Clients call <c>{BaseAddress}bot{token}/{method}</c> with parameters in a JSON, url-encoded or multipart body,
/// or in the query string. Implemented methods: <c>getMe</c>, <c>sendMessage</c>, <c>sendPhoto</c>,
/// <c>sendDocument</c>, <c>editMessageText</c>, <c>deleteMessage</c>, <c>sendChatAction</c>,
/// <c>answerCallbackQuery</c>, <c>getUpdates</c>, <c>setWebhook</c>, <c>deleteWebhook</c>, <c>getWebhookInfo</c>
/// (names case-insensitive); any other method answers 404. Only <c>sendMessage</c>, <c>sendPhoto</c> and
/// <c>sendDocument</c> count against the limits.
/// </remarks>
public sealed class BotApiEmulator : IAsyncDisposable
{
    /// <summary>A well-formed token the default options accept.</summary>
    public const string TestToken = "123456789:EMULATOR-test_token";

    /// <summary>The base address of the in-memory handler (<see cref="CreateClient"/>); any absolute address works with <see cref="CreateHandler"/>.</summary>
    public static readonly Uri InMemoryBaseAddress = new("http://bot-api.emulator/");

    private readonly BotApiEngine _engine;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private KestrelBotApiHost? _host;
    private bool _disposed;

    /// <summary>Creates an emulator; it serves in memory at once and over HTTP after <see cref="StartAsync"/>.</summary>
    /// <param name="options">Options, validated here; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public BotApiEmulator(BotApiEmulatorOptions? options = null)
    {
        options ??= new BotApiEmulatorOptions();
        options.Validate();
        _engine = new BotApiEngine(options);
        _engine.MessageAccepted += OnMessageAccepted;
    }

    /// <summary>Raised (on the request's thread, outside any lock) for every message the emulator accepts.</summary>
    public event EventHandler<SentMessage>? MessageAccepted;

    /// <summary>Gets the options this emulator was created with. Do not change them after construction.</summary>
    public BotApiEmulatorOptions Options => _engine.Options;

    /// <summary>Gets fault injection (5xx, dropped connections, latency, forced 429, chat migration).</summary>
    public BotApiFaults Faults => _engine.Faults;

    /// <summary>Gets whether the HTTP server is running.</summary>
    public bool IsStarted => Volatile.Read(ref _host) is not null;

    /// <summary>Gets the HTTP base address, <c>http://127.0.0.1:PORT/</c>; clients call <c>{BaseAddress}bot{token}/{method}</c>.</summary>
    /// <exception cref="InvalidOperationException">The server was not started.</exception>
    public Uri BaseAddress => Volatile.Read(ref _host)?.BaseAddress
        ?? throw new InvalidOperationException("The emulator's HTTP server is not started; call StartAsync, or use CreateHandler for in-memory mode.");

    /// <summary>Gets a snapshot of the accepted messages, in acceptance order.</summary>
    public IReadOnlyList<SentMessage> SentMessages => _engine.SentMessages;

    /// <summary>Gets a snapshot of the accepted <c>editMessageText</c> calls, in order.</summary>
    public IReadOnlyList<SentMessage> EditedMessages => _engine.EditedMessages;

    /// <summary>Gets a snapshot of every request answered (method, parameters, status), in order.</summary>
    public IReadOnlyList<BotApiCall> Calls => _engine.Calls;

    /// <summary>Gets the number of 429 answers sent so far.</summary>
    public long TooManyRequestsCount => Interlocked.Read(ref _engine.Counters.TooManyRequests);

    /// <summary>Gets a snapshot of all counters.</summary>
    public BotApiEmulatorStatistics Statistics => _engine.Counters.Snapshot();

    /// <summary>Gets the number of injected updates not yet confirmed by <c>getUpdates</c> nor delivered to the webhook.</summary>
    public int PendingUpdateCount => _engine.Updates.PendingCount;

    /// <summary>Gets the webhook URL set by <c>setWebhook</c>, or <see langword="null"/>.</summary>
    public Uri? WebhookUrl => _engine.Webhooks.Current?.Url;

    /// <summary>Creates an emulator and starts its HTTP server.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started emulator; dispose it to stop.</returns>
    public static async Task<BotApiEmulator> StartNewAsync(BotApiEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new BotApiEmulator(options);
        try
        {
            await emulator.StartAsync(cancellationToken).ConfigureAwait(false);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts Kestrel on 127.0.0.1 (port <see cref="BotApiEmulatorOptions.Port"/>, 0 = a free port). Does nothing when already started.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server listens.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_host is null)
            {
                var host = await KestrelBotApiHost.StartAsync(_engine, Options.Port, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _host, host);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Creates a handler that serves this emulator in memory (no sockets; works without <see cref="StartAsync"/>). Any absolute request address works; only the path counts.</summary>
    /// <returns>A new handler; dispose it (or the <see cref="HttpClient"/> that owns it) when done.</returns>
    public HttpMessageHandler CreateHandler() => new InMemoryBotApiHandler(_engine);

    /// <summary>Creates an <see cref="HttpClient"/> over <see cref="CreateHandler"/> with <see cref="HttpClient.BaseAddress"/> = <see cref="InMemoryBaseAddress"/>.</summary>
    /// <returns>A new client that owns its handler.</returns>
    public HttpClient CreateClient() => new(CreateHandler(), disposeHandler: true) { BaseAddress = InMemoryBaseAddress };

    /// <summary>Gets the accepted messages to one chat, in order.</summary>
    /// <param name="chatId">The numeric chat id.</param>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<SentMessage> GetSentMessages(long chatId) => _engine.GetSentMessages(chatId);

    /// <summary>Gets the number of 429 answers sent for sends to one chat.</summary>
    /// <param name="chatId">The numeric chat id.</param>
    /// <returns>The count (0 for unknown chats).</returns>
    public long GetTooManyRequestsCount(long chatId) => _engine.GetTooManyRequestsCount(chatId);

    /// <summary>Forgets the recorded messages, edits and calls (counters, limits and updates are kept).</summary>
    public void ClearRecords() => _engine.ClearRecords();

    /// <summary>Queues a raw update; its <c>update_id</c> is set (or replaced) by the emulator.</summary>
    /// <param name="updateJson">A JSON object, e.g. <c>{"message":{...}}</c>.</param>
    /// <returns>The update's <c>update_id</c>.</returns>
    /// <exception cref="ArgumentException">Not a JSON object.</exception>
    public long EnqueueUpdate(string updateJson) => _engine.EnqueueUpdate(updateJson);

    /// <summary>Queues a text message from a user (a <c>bot_command</c> entity is added when the text starts with <c>/</c>).</summary>
    /// <param name="userId">The sender (positive).</param>
    /// <param name="text">The text.</param>
    /// <param name="chatId">The chat; <see langword="null"/> for the private chat with the user.</param>
    /// <returns>The update's <c>update_id</c>.</returns>
    public long SendUserMessage(long userId, string text, long? chatId = null) => _engine.SendUserMessage(userId, text, chatId);

    /// <summary>Queues a <c>callback_query</c> as if the user pressed an inline button; the bot may answer it once with <c>answerCallbackQuery</c>.</summary>
    /// <param name="userId">The user (positive).</param>
    /// <param name="data">The button's <c>callback_data</c>.</param>
    /// <param name="messageId">The bot message carrying the button; <see langword="null"/> for the bot's last message in the chat.</param>
    /// <param name="chatId">The chat; <see langword="null"/> for the private chat with the user.</param>
    /// <returns>The update's <c>update_id</c>.</returns>
    public long PressButton(long userId, string data, long? messageId = null, long? chatId = null) => _engine.PressButton(userId, data, messageId, chatId);

    /// <summary>Queues a location message; with <paramref name="livePeriod"/> it starts a live location that <see cref="UpdateLiveLocation"/> moves.</summary>
    /// <param name="userId">The user (positive).</param>
    /// <param name="latitude">-90 to 90.</param>
    /// <param name="longitude">-180 to 180.</param>
    /// <param name="livePeriod">60 to 86 400 seconds, or <see cref="int.MaxValue"/>; <see langword="null"/> for a static location.</param>
    /// <param name="chatId">The chat; <see langword="null"/> for the private chat with the user.</param>
    /// <returns>The update's <c>update_id</c>.</returns>
    public long SendLocation(long userId, double latitude, double longitude, int? livePeriod = null, long? chatId = null)
        => _engine.SendLocation(userId, latitude, longitude, livePeriod, chatId);

    /// <summary>Queues an <c>edited_message</c> that moves the user's last live location in the chat.</summary>
    /// <param name="userId">The user (positive).</param>
    /// <param name="latitude">-90 to 90.</param>
    /// <param name="longitude">-180 to 180.</param>
    /// <param name="chatId">The chat; <see langword="null"/> for the private chat with the user.</param>
    /// <returns>The update's <c>update_id</c>.</returns>
    /// <exception cref="InvalidOperationException">No live location was started in the chat.</exception>
    public long UpdateLiveLocation(long userId, double latitude, double longitude, long? chatId = null)
        => _engine.UpdateLiveLocation(userId, latitude, longitude, chatId);

    /// <summary>Waits until at least <paramref name="count"/> messages were accepted in total.</summary>
    /// <param name="count">The number of messages.</param>
    /// <param name="timeout">Real-time bound (it guards the test, so it ignores the emulator's <see cref="TimeProvider"/>).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A snapshot of all accepted messages.</returns>
    /// <exception cref="TimeoutException">Fewer messages arrived within <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<SentMessage>> WaitForMessagesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        await WaitUntilAsync(() => _engine.SentMessageCount >= count, timeout,
            () => $"Expected {count} accepted messages, got {_engine.SentMessageCount}.", cancellationToken).ConfigureAwait(false);
        return _engine.SentMessages;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages to <paramref name="chatId"/> were accepted.</summary>
    /// <param name="chatId">The chat.</param>
    /// <param name="count">The number of messages.</param>
    /// <param name="timeout">Real-time bound.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A snapshot of the chat's accepted messages.</returns>
    /// <exception cref="TimeoutException">Fewer messages arrived within <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<SentMessage>> WaitForMessagesAsync(long chatId, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        await WaitUntilAsync(() => _engine.GetSentMessages(chatId).Count >= count, timeout,
            () => $"Expected {count} accepted messages to chat {chatId}, got {_engine.GetSentMessages(chatId).Count}.", cancellationToken).ConfigureAwait(false);
        return _engine.GetSentMessages(chatId);
    }

    /// <summary>Waits for the first accepted message (already recorded or future) that matches <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The condition.</param>
    /// <param name="timeout">Real-time bound.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first matching message.</returns>
    /// <exception cref="TimeoutException">None arrived within <paramref name="timeout"/>.</exception>
    public async Task<SentMessage> WaitForMessageAsync(Func<SentMessage, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        SentMessage? found = null;
        await WaitUntilAsync(() => (found = _engine.SentMessages.FirstOrDefault(predicate)) is not null, timeout,
            () => "No accepted message matched the predicate.", cancellationToken).ConfigureAwait(false);
        return found!;
    }

    /// <summary>Waits until every injected update was confirmed by <c>getUpdates</c> or delivered to the webhook.</summary>
    /// <param name="timeout">Real-time bound.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when no update is pending.</returns>
    /// <exception cref="TimeoutException">Updates were still pending after <paramref name="timeout"/>.</exception>
    public Task WaitForUpdatesConsumedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitUntilAsync(() => _engine.Updates.PendingCount == 0, timeout,
            () => $"{_engine.Updates.PendingCount} updates still pending.", cancellationToken);

    /// <summary>Waits until at least <paramref name="count"/> updates were delivered to the webhook with a 2xx answer.</summary>
    /// <param name="count">The number of deliveries.</param>
    /// <param name="timeout">Real-time bound.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when enough deliveries succeeded.</returns>
    /// <exception cref="TimeoutException">Fewer deliveries succeeded within <paramref name="timeout"/>.</exception>
    public Task WaitForWebhookDeliveriesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitUntilAsync(() => Interlocked.Read(ref _engine.Counters.WebhookDeliveries) >= count, timeout,
            () => $"Expected {count} webhook deliveries, got {Interlocked.Read(ref _engine.Counters.WebhookDeliveries)}.", cancellationToken);

    /// <summary>Stops the HTTP server, ends long polls and webhook deliveries.</summary>
    /// <returns>A task that completes when everything stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _engine.MessageAccepted -= OnMessageAccepted;
            await _engine.DisposeAsync().ConfigureAwait(false);
            if (_host is { } host)
            {
                Volatile.Write(ref _host, null);
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private void OnMessageAccepted(SentMessage message) => MessageAccepted?.Invoke(this, message);

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var changedCounters = _engine.Counters.Changed.Task;
            var changedUpdates = _engine.Updates.Changed;
            if (condition())
            {
                return;
            }

            var remaining = timeout - TimeProvider.System.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(describe());
            }

            try
            {
                await Task.WhenAny(changedCounters, changedUpdates).WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException(describe());
            }
        }
    }
}
