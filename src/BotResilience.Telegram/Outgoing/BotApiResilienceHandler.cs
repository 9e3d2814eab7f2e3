using System.Diagnostics.CodeAnalysis;
using System.Net;
using BotResilience.Telegram.Outgoing;
using BotResilience.Telegram.Redaction;
using BotResilience.Telegram.Wire;
using Microsoft.Extensions.Logging;

namespace BotResilience.Telegram;

/// <summary>
/// A <see cref="DelegatingHandler"/> for the <see cref="HttpClient"/> of any Bot API client (Telegram.Bot:
/// <c>new TelegramBotClient(new TelegramBotClientOptions(token) { RetryThreshold = 0 }, httpClient)</c>).
/// For <c>/bot&lt;token&gt;/&lt;method&gt;</c> requests it reads <c>chat_id</c> and <c>allow_paid_broadcast</c> from the
/// body (JSON, form or multipart; the bytes sent are unchanged), applies Telegram's limits before sending (per chat,
/// per group, bot-wide, paid broadcasts) through a fair, prioritised scheduler, honours 429 <c>retry_after</c> through
/// a flood gate and retries transparently up to <see cref="BotApiResilienceOptions.FloodWaitThreshold"/> (above it the
/// original 429 response is returned so the client raises its usual error), retries 5xx and network errors with
/// jittered exponential backoff behind a per-bot circuit breaker, and reports group migrations.
/// The bot token never appears in what the handler logs, measures, raises or throws.
/// </summary>
/// <remarks>
/// Requests that are not Bot API methods (file downloads <c>/file/bot&lt;token&gt;/...</c>, other hosts' paths) pass
/// through untouched. When the circuit is open the handler throws <see cref="BotApiCircuitOpenException"/> (an
/// <see cref="HttpRequestException"/> with status 503) without sending.
/// </remarks>
public sealed partial class BotApiResilienceHandler : DelegatingHandler
{
    private readonly BotApiResilienceEngine _engine;
    private readonly bool _ownsEngine;

    /// <summary>Creates a handler with its own limits state; set <see cref="DelegatingHandler.InnerHandler"/> or use the other constructor.</summary>
    /// <param name="options">The options (copied and validated); <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where to log (never the token); none by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public BotApiResilienceHandler(BotApiResilienceOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _engine = new BotApiResilienceEngine(options, timeProvider, logger);
        _ownsEngine = true;
    }

    /// <summary>Creates a handler with its own limits state that sends through <paramref name="innerHandler"/>.</summary>
    /// <param name="innerHandler">The handler that sends (for example a <see cref="SocketsHttpHandler"/>).</param>
    /// <param name="options">The options (copied and validated); <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where to log (never the token); none by default.</param>
    public BotApiResilienceHandler(HttpMessageHandler innerHandler, BotApiResilienceOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(options, timeProvider, logger)
        => InnerHandler = innerHandler;

    internal BotApiResilienceHandler(BotApiResilienceEngine engine)
    {
        _engine = engine;
        _ownsEngine = false;
    }

    /// <summary>Raised for a 400 with <c>migrate_to_chat_id</c>; the response itself is returned unchanged.</summary>
    public event EventHandler<ChatMigratedEventArgs>? ChatMigrated
    {
        add => _engine.ChatMigrated += value;
        remove => _engine.ChatMigrated -= value;
    }

    /// <summary>Raised for every 429 received, saying whether the handler retries it.</summary>
    public event EventHandler<BotApiFloodWaitEventArgs>? FloodWaitReceived
    {
        add => _engine.FloodWaitReceived += value;
        remove => _engine.FloodWaitReceived -= value;
    }

    /// <summary>Sending requests currently waiting for a turn (all bots).</summary>
    public int QueueLength => _engine.QueueLength;

    internal BotApiResilienceEngine Engine => _engine;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri || !BotApiRequestParser.TryParsePath(uri.AbsolutePath, out var botId, out var method))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var options = _engine.Options;
        var time = _engine.Time;
        var lane = BotApiPriority.Resolve(request);
        var (content, chatId, paid) = await BotApiRequestParser.ReadAsync(request.Content, cancellationToken).ConfigureAwait(false);
        request.Content = content;
        var kind = BotApiRequestInfo.Classify(chatId);
        var bot = _engine.GetBot(botId);
        var throttled = options.IsThrottled(method);
        var chatKey = kind == BotApiChatKind.None ? string.Empty : chatId!.Trim();
        var floodRetries = 0;
        var errorRetries = 0;
        var retryFirst = false;

        while (true)
        {
            if (throttled && PausedBeyondThreshold(bot, chatKey, kind) is { } response429)
            {
                TelegramMetrics.Request(method, "flood_wait_returned");
                return response429;
            }

            if (throttled)
            {
                var queuedAt = time.GetTimestamp();
                await bot.Scheduler.WaitTurnAsync(chatKey, kind, lane, paid, retryFirst, cancellationToken).ConfigureAwait(false);
                TelegramMetrics.Waited(lane, time.GetElapsedTime(queuedAt));

                // A 429 may have paused the scope between our turn and now (continuations can run late on a busy
                // pool): never send into it; queue again at the head of the chat (the used permit is simply lost).
                if (IsPaused(bot, chatKey, kind))
                {
                    retryFirst = true;
                    continue;
                }
            }

            if (!bot.Breaker.TryEnter(out var openFor))
            {
                TelegramMetrics.Request(method, "circuit_open");
                LogCircuitOpen(_engine.Logger, method, openFor.TotalSeconds);
                throw new BotApiCircuitOpenException(openFor);
            }

            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not HttpRequestException || cancellationToken.IsCancellationRequested)
            {
                // Cancelled or not a transport failure: no verdict on the Bot API's health (a half-open probe slot is returned).
                bot.Breaker.RecordCanceled();
                throw;
            }
            catch (HttpRequestException ex)
            {
                bot.Breaker.RecordFailure();
                if (errorRetries >= options.MaxRetryAttempts)
                {
                    TelegramMetrics.Request(method, "network_error");
                    if (_engine.Logger.IsEnabled(LogLevel.Warning))
                    {
                        LogGaveUp(_engine.Logger, method, errorRetries, ex.GetType().Name, BotTokenRedactor.Redact(ex.Message));
                    }

                    var redacted = BotTokenRedactor.Redact(ex.Message);
                    if (!ReferenceEquals(redacted, ex.Message) && redacted != ex.Message)
                    {
                        // Same type, error and status, without the token (the transport-level cause is kept).
                        throw new HttpRequestException(ex.HttpRequestError, redacted, ex.InnerException, ex.StatusCode);
                    }

                    throw;
                }

                errorRetries++;
                var delay = Backoff(options, errorRetries);
                TelegramMetrics.Retry(method, "network_error");
                if (_engine.Logger.IsEnabled(LogLevel.Information))
                {
                    var reason = ex.GetType().Name + ": " + BotTokenRedactor.Redact(ex.Message);
                    LogRetry(_engine.Logger, method, errorRetries, delay.TotalMilliseconds, reason);
                }

                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                retryFirst = true;
                continue;
            }

            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                bot.Breaker.RecordFailure();
                if (errorRetries < options.MaxRetryAttempts)
                {
                    response.Dispose();
                    errorRetries++;
                    var delay = Backoff(options, errorRetries);
                    TelegramMetrics.Retry(method, "server_error");
                    if (_engine.Logger.IsEnabled(LogLevel.Information))
                    {
                        var reason = "HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        LogRetry(_engine.Logger, method, errorRetries, delay.TotalMilliseconds, reason);
                    }

                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                    retryFirst = true;
                    continue;
                }

                TelegramMetrics.Request(method, "server_error");
                return response;
            }

            bot.Breaker.RecordSuccess();
            if (status == 429)
            {
                var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
                var (retryAfter, _) = BotApiResponseParser.Parse(body);
                var wait = retryAfter ?? response.Headers.RetryAfter?.Delta ?? Backoff(options, floodRetries + 1);
                var willRetry = wait <= options.FloodWaitThreshold && floodRetries < options.MaxFloodRetries;
                var scopes = throttled ? PauseScopes(bot, chatKey, kind, wait) : [];
                TelegramMetrics.FloodWait(method, wait);
                LogFloodWait(_engine.Logger, method, chatKey, wait.TotalSeconds, willRetry);
                _engine.RaiseFloodWait(this, new BotApiFloodWaitEventArgs(method, kind == BotApiChatKind.None ? null : chatKey, wait, scopes, willRetry));
                if (!willRetry)
                {
                    TelegramMetrics.Request(method, "flood_wait_returned");
                    return response;
                }

                response.Dispose();
                floodRetries++;
                if (!throttled)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }

                retryFirst = true;
                continue;
            }

            if (status == 400 && kind != BotApiChatKind.None)
            {
                var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
                var (_, migrateTo) = BotApiResponseParser.Parse(body);
                if (migrateTo is { } newId)
                {
                    LogMigrated(_engine.Logger, method, chatKey, newId);
                    _engine.RaiseChatMigrated(this, new ChatMigratedEventArgs(method, chatKey, newId));
                }
            }

            TelegramMetrics.Request(method, status < 300 ? "ok" : "client_error");
            return response;
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsEngine)
        {
            _engine.Dispose();
        }

        base.Dispose(disposing);
    }

    private string[] PauseScopes(BotApiResilienceEngine.BotState bot, string chatKey, BotApiChatKind kind, TimeSpan wait)
    {
        var scope = _engine.Options.FloodScope;
        var botScope = SendScheduler.BotScope(bot.BotId);
        string[] scopes = kind == BotApiChatKind.None || scope == FloodScope.Bot
            ? [botScope]
            : scope == FloodScope.Chat ? [bot.Scheduler.ChatScope(chatKey)] : [bot.Scheduler.ChatScope(chatKey), botScope];
        foreach (var s in scopes)
        {
            _engine.Pause(s, wait);
        }

        return scopes;
    }

    private bool IsPaused(BotApiResilienceEngine.BotState bot, string chatKey, BotApiChatKind kind)
        => _engine.GetRemainingPause(SendScheduler.BotScope(bot.BotId)) > TimeSpan.Zero
           || (kind != BotApiChatKind.None && _engine.GetRemainingPause(bot.Scheduler.ChatScope(chatKey)) > TimeSpan.Zero);

    /// <summary>
    /// A scope paused for longer than the threshold fails fast: the caller gets a 429 in Telegram's format with the
    /// remaining wait (as the server itself would answer), instead of waiting hours in the queue.
    /// </summary>
    private HttpResponseMessage? PausedBeyondThreshold(BotApiResilienceEngine.BotState bot, string chatKey, BotApiChatKind kind)
    {
        var remaining = _engine.GetRemainingPause(SendScheduler.BotScope(bot.BotId));
        if (kind != BotApiChatKind.None)
        {
            var chat = _engine.GetRemainingPause(bot.Scheduler.ChatScope(chatKey));
            if (chat > remaining)
            {
                remaining = chat;
            }
        }

        if (remaining <= _engine.Options.FloodWaitThreshold)
        {
            return null;
        }

        var seconds = (long)Math.Ceiling(remaining.TotalSeconds);
        var body = "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after " + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
            + "\",\"parameters\":{\"retry_after\":" + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}";
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        response.Headers.TryAddWithoutValidation(SynthesizedHeader, "paused");
        return response;
    }

    /// <summary>The header on a 429 the handler answered itself because the scope is paused beyond the threshold.</summary>
    public const string SynthesizedHeader = "X-BotResilience-Synthesized";

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Buffering keeps the content readable for the caller: the response is handed back unchanged.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Retry jitter is not security sensitive.")]
    internal static TimeSpan Backoff(BotApiResilienceOptions options, int attempt)
    {
        var ticks = options.BackoffType switch
        {
            Retry.BackoffType.Constant => options.RetryDelay.Ticks,
            Retry.BackoffType.Linear => options.RetryDelay.Ticks * (double)attempt,
            _ => options.RetryDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 30)),
        };
        var capped = Math.Min(ticks, options.RetryMaxDelay.Ticks);
        if (options.UseJitter)
        {
            capped *= 0.5 + (0.5 * Random.Shared.NextDouble());
        }

        return TimeSpan.FromTicks((long)capped);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Bot API {Method}: 429 for chat '{ChatId}', retry_after {RetryAfterSeconds} s, retrying: {WillRetry}")]
    private static partial void LogFloodWait(ILogger logger, string method, string chatId, double retryAfterSeconds, bool willRetry);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Bot API {Method}: retry {Attempt} in {DelayMs} ms after {Reason}")]
    private static partial void LogRetry(ILogger logger, string method, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Bot API {Method}: giving up after {Attempts} retries: {ErrorType}: {ErrorMessage}")]
    private static partial void LogGaveUp(ILogger logger, string method, int attempts, string errorType, string errorMessage);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Bot API {Method}: circuit open, failing fast for {RetryAfterSeconds} s")]
    private static partial void LogCircuitOpen(ILogger logger, string method, double retryAfterSeconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Bot API {Method}: chat '{OldChatId}' migrated to {NewChatId}")]
    private static partial void LogMigrated(ILogger logger, string method, string oldChatId, long newChatId);
}
