using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Telegram;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Features;

/// <summary>Sends messages and never throws into handlers; counts what reached the application.</summary>
public sealed class BotReplies
{
    private readonly BotApiClient _api;
    private readonly SampleMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the sender.</summary>
    /// <param name="api">Bot API client.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    public BotReplies(BotApiClient api, SampleMetrics metrics, ILogger<BotReplies> logger)
    {
        _api = api;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The underlying client.</summary>
    public BotApiClient Api => _api;

    /// <summary>Sends a message; returns false (and logs) when it failed.</summary>
    /// <param name="chatId">Chat.</param>
    /// <param name="text">Text.</param>
    /// <param name="replyTo">Message replied to.</param>
    /// <param name="lane">Lane.</param>
    /// <param name="buttons">Inline buttons.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<bool> SendAsync(long chatId, string text, long? replyTo = null, SendLane lane = SendLane.Interactive, IReadOnlyList<(string Text, string Data)>? buttons = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await _api.SendMessageAsync(chatId, text, replyTo, lane, buttons, cancellationToken);
            Interlocked.Increment(ref _metrics.RepliesSent);
            return true;
        }
        catch (BotApiException ex) when (ex.ErrorCode == 429)
        {
            Interlocked.Increment(ref _metrics.TooManyRequestsReachedApp);
            Interlocked.Increment(ref _metrics.SendErrors);
            _logger.LogWarning("429 reached the application for chat {ChatId} (retry after {RetryAfter} s)", chatId, ex.RetryAfter);
            return false;
        }
        catch (Exception ex) when (ex is BotApiException or HttpRequestException or TaskCanceledException or BotResilience.Retry.FloodWaitException)
        {
            Interlocked.Increment(ref _metrics.SendErrors);
            _logger.LogWarning("sendMessage to {ChatId} failed: {Error}", chatId, ex.Message);
            return false;
        }
    }

    /// <summary>Answers a button press; never throws.</summary>
    /// <param name="callbackQueryId">Query id.</param>
    /// <param name="text">Toast.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task AnswerButtonAsync(string callbackQueryId, string? text, CancellationToken cancellationToken)
    {
        try
        {
            await _api.AnswerCallbackQueryAsync(callbackQueryId, text, cancellationToken);
        }
        catch (Exception ex) when (ex is BotApiException or HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _metrics.SendErrors);
            _logger.LogWarning("answerCallbackQuery failed: {Error}", ex.Message);
        }
    }
}
