using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BotResilience.Telegram.Dispatching;
using BotResilience.Telegram.Redaction;
using BotResilience.Telegram.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.Telegram.Polling;

/// <summary>
/// A <c>getUpdates</c> loop on raw JSON that feeds an <see cref="UpdateDispatcher"/>. The offset advances past an
/// update only once the dispatcher accepted it (or dropped it as a duplicate or throttled), so nothing is skipped.
/// Errors back off exponentially with jitter; 429 waits <c>retry_after</c>; 401, 409 and other 4xx stop the loop with a
/// <see cref="BotApiPollingException"/>; cancellation stops it cleanly.
/// </summary>
public sealed partial class LongPollingReceiver
{
    private readonly HttpClient _http;
    private readonly string _token;
    private readonly UpdateDispatcher _dispatcher;
    private readonly LongPollingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _offset;
    private bool _dispatcherStopped;

    /// <summary>Creates a receiver.</summary>
    /// <param name="httpClient">The client (may contain a <see cref="BotApiResilienceHandler"/>; its timeout must exceed the poll timeout).</param>
    /// <param name="botToken">The bot token.</param>
    /// <param name="dispatcher">Where updates go.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock (backoff delays).</param>
    /// <param name="logger">Where errors are logged (redacted).</param>
    public LongPollingReceiver(HttpClient httpClient, string botToken, UpdateDispatcher dispatcher, LongPollingOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(botToken);
        ArgumentNullException.ThrowIfNull(dispatcher);
        _options = options ?? new LongPollingOptions();
        _options.Validate();
        _http = httpClient;
        _token = botToken;
        _dispatcher = dispatcher;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _offset = _options.InitialOffset ?? 0;
    }

    /// <summary>The offset the next <c>getUpdates</c> sends (last accepted <c>update_id</c> + 1).</summary>
    public long NextOffset => Interlocked.Read(ref _offset);

    /// <summary>Consecutive failed calls so far (0 after a success).</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled or the dispatcher stops (then completes normally), or a fatal error.</summary>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that completes when the loop stops.</returns>
    /// <exception cref="BotApiPollingException">401, 409 or another 4xx: polling cannot go on.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(_options.BaseAddress.AbsoluteUri.TrimEnd('/') + "/bot" + _token + "/getUpdates");
        var previousDelay = 0.0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan? wait;
            try
            {
                wait = await PollOnceAsync(uri, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or IOException)
            {
                wait = null;
                if (_logger.IsEnabled(LogLevel.Warning))
                {
                    var text = ex.GetType().Name + ": " + BotTokenRedactor.Redact(ex.Message);
                    LogPollFailed(_logger, ConsecutiveFailures + 1, text);
                }
            }

            if (_dispatcherStopped)
            {
                return; // the dispatcher no longer takes updates: stop without advancing past them
            }

            if (wait == TimeSpan.Zero)
            {
                ConsecutiveFailures = 0;
                previousDelay = 0;
                continue;
            }

            ConsecutiveFailures++;
            var delay = wait ?? NextBackoff(ref previousDelay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Backoff jitter.")]
    private TimeSpan NextBackoff(ref double previous)
    {
        // Exponential with "equal jitter": half the doubled delay fixed, half random.
        var baseTicks = _options.InitialBackoff.Ticks;
        var next = previous <= 0 ? baseTicks : Math.Min(previous * 2, _options.MaxBackoff.Ticks);
        previous = next;
        return TimeSpan.FromTicks((long)((next / 2) + (Random.Shared.NextDouble() * next / 2)));
    }

    /// <summary>Zero on success; a wait (429) or <see langword="null"/> (backoff) on a retryable failure.</summary>
    private async Task<TimeSpan?> PollOnceAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(BuildBody()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status == 429)
        {
            var (retryAfter, _) = BotApiResponseParser.Parse(body);
            return retryAfter ?? _options.InitialBackoff;
        }

        if (status >= 500)
        {
            LogPollFailed(_logger, ConsecutiveFailures + 1, "HTTP " + status.ToString(CultureInfo.InvariantCulture));
            return null;
        }

        if (status >= 400)
        {
            var description = BotTokenRedactor.Redact(Description(body)) ?? response.ReasonPhrase;
            var hint = status switch
            {
                401 => " (the bot token is invalid or revoked)",
                409 => " (another getUpdates loop or a webhook is active for this bot)",
                _ => string.Empty,
            };
            throw new BotApiPollingException(status, $"getUpdates failed with {status}: {description}{hint}.");
        }

        using var doc = JsonDocument.Parse(body);
        if (!doc.RootElement.TryGetProperty("result"u8, out var result) || result.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("getUpdates answered without a result array.");
        }

        foreach (var element in result.EnumerateArray())
        {
            var update = TelegramUpdate.FromJson(element);
            var outcome = await _dispatcher.EnqueueAsync(update, cancellationToken).ConfigureAwait(false);
            if (outcome == UpdateEnqueueResult.Stopped)
            {
                _dispatcherStopped = true;
                return TimeSpan.Zero;
            }

            if (update.UpdateId is { } id && id + 1 > Interlocked.Read(ref _offset))
            {
                Interlocked.Exchange(ref _offset, id + 1);
            }
        }

        return TimeSpan.Zero;
    }

    private byte[] BuildBody()
    {
        var sb = new StringBuilder(96);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"offset\":{NextOffset},\"limit\":{_options.Limit},\"timeout\":{(long)_options.PollTimeout.TotalSeconds}");
        if (_options.AllowedUpdates is { } allowed)
        {
            sb.Append(",\"allowed_updates\":").Append(JsonSerializer.Serialize(allowed, PollingJsonContext.Default.IReadOnlyListString));
        }

        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string? Description(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("description"u8, out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "getUpdates failed ({Failures} in a row): {Error}; backing off")]
    private static partial void LogPollFailed(ILogger logger, int failures, string error);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class PollingJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
