using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BotResilience.SampleBot.Telegram;

/// <summary>A Bot API error (the original 429 comes back here once the resilience handler gives up).</summary>
public sealed class BotApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="method">Method.</param>
    /// <param name="errorCode">error_code.</param>
    /// <param name="description">description.</param>
    /// <param name="retryAfter">parameters.retry_after.</param>
    public BotApiException(string method, int errorCode, string? description, int? retryAfter)
        : base($"{method}: {errorCode} {description}")
    {
        Method = method;
        ErrorCode = errorCode;
        RetryAfter = retryAfter;
    }

    /// <summary>Method.</summary>
    public string Method { get; }

    /// <summary>error_code.</summary>
    public int ErrorCode { get; }

    /// <summary>retry_after in seconds (429).</summary>
    public int? RetryAfter { get; }
}

/// <summary>Priority lane of an outgoing message.</summary>
public enum SendLane
{
    /// <summary>A reply to a user who is waiting.</summary>
    Interactive,

    /// <summary>Broadcasts and notifications nobody is waiting for.</summary>
    Bulk,
}

/// <summary>
/// A small Bot API client over an <see cref="HttpClient"/>. Limits, 429 handling and retries live in the
/// HTTP pipeline below it, so the client itself stays dumb. The token is only ever part of the request path.
/// </summary>
public sealed class BotApiClient
{
    /// <summary>Request option that carries the lane to handlers.</summary>
    public static readonly HttpRequestOptionsKey<SendLane> LaneOption = new("BotResilience.SampleBot.Lane");

    private readonly HttpClient _http;
    private readonly string _prefix;

    /// <summary>Creates the client.</summary>
    /// <param name="http">HTTP client (its handler chain applies the resilience).</param>
    /// <param name="baseUrl">Bot API base address.</param>
    /// <param name="token">Bot token.</param>
    public BotApiClient(HttpClient http, string baseUrl, string token)
    {
        _http = http;
        _prefix = baseUrl.TrimEnd('/') + "/bot" + token + "/";
    }

    /// <summary>sendMessage.</summary>
    /// <param name="chatId">Chat.</param>
    /// <param name="text">Text.</param>
    /// <param name="replyTo">Message replied to.</param>
    /// <param name="lane">Lane.</param>
    /// <param name="buttons">Inline keyboard buttons (text, callback data).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public Task SendMessageAsync(long chatId, string text, long? replyTo = null, SendLane lane = SendLane.Interactive, IReadOnlyList<(string Text, string Data)>? buttons = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["chat_id"] = chatId, ["text"] = text };
        if (replyTo is { } r)
        {
            body["reply_to_message_id"] = r;
            body["reply_parameters"] = new JsonObject { ["message_id"] = r, ["allow_sending_without_reply"] = true };
        }

        if (buttons is { Count: > 0 })
        {
            var row = new JsonArray();
            foreach ((string t, string d) in buttons)
            {
                row.Add(new JsonObject { ["text"] = t, ["callback_data"] = d });
            }

            body["reply_markup"] = new JsonObject { ["inline_keyboard"] = new JsonArray(row) };
        }

        return CallAsync<JsonElement>("sendMessage", body, lane, cancellationToken);
    }

    /// <summary>answerCallbackQuery.</summary>
    /// <param name="callbackQueryId">Query id.</param>
    /// <param name="text">Toast text.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public Task AnswerCallbackQueryAsync(string callbackQueryId, string? text, CancellationToken cancellationToken = default) =>
        CallAsync<JsonElement>("answerCallbackQuery", new JsonObject { ["callback_query_id"] = callbackQueryId, ["text"] = text }, SendLane.Interactive, cancellationToken);

    /// <summary>setWebhook.</summary>
    /// <param name="url">Public URL.</param>
    /// <param name="secretToken">Secret token echoed in X-Telegram-Bot-Api-Secret-Token.</param>
    /// <param name="maxConnections">max_connections (1–100).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public Task SetWebhookAsync(string url, string secretToken, int maxConnections, CancellationToken cancellationToken = default) =>
        CallAsync<JsonElement>("setWebhook", new JsonObject { ["url"] = url, ["secret_token"] = secretToken, ["max_connections"] = maxConnections }, SendLane.Interactive, cancellationToken);

    /// <summary>deleteWebhook.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    public Task DeleteWebhookAsync(CancellationToken cancellationToken = default) =>
        CallAsync<JsonElement>("deleteWebhook", new JsonObject(), SendLane.Interactive, cancellationToken);

    /// <summary>getUpdates (long polling).</summary>
    /// <param name="offset">First update id wanted.</param>
    /// <param name="timeoutSeconds">Long-poll timeout.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<IReadOnlyList<Update>> GetUpdatesAsync(long offset, int timeoutSeconds, CancellationToken cancellationToken = default) =>
        await CallAsync<List<Update>>("getUpdates", new JsonObject { ["offset"] = offset, ["timeout"] = timeoutSeconds }, SendLane.Interactive, cancellationToken) ?? [];

    private async Task<T?> CallAsync<T>(string method, JsonObject body, SendLane lane, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _prefix + method)
        {
            Content = JsonContent.Create(body, options: BotJson.Options),
        };
        request.Options.Set(LaneOption, lane);
        request.Options.Set(BotResilience.Telegram.BotApiPriority.OptionKey, lane == SendLane.Bulk ? BotResilience.Telegram.BotApiRequestPriority.Bulk : BotResilience.Telegram.BotApiRequestPriority.Interactive);
        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken);
        ApiResponse<T>? envelope;
        try
        {
            envelope = await response.Content.ReadFromJsonAsync<ApiResponse<T>>(BotJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            throw new BotApiException(method, (int)response.StatusCode, "non-JSON response", null);
        }

        if (envelope is null || !envelope.Ok)
        {
            throw new BotApiException(method, envelope?.ErrorCode ?? (int)response.StatusCode, envelope?.Description, envelope?.Parameters?.RetryAfter);
        }

        return envelope.Result;
    }
}
