namespace BotResilience.SampleBot.Demo;

/// <summary>A message the bot sent, as recorded by the platform.</summary>
/// <param name="ChatId">Chat.</param>
/// <param name="Text">Text.</param>
/// <param name="ReplyToMessageId">Message replied to, if any.</param>
/// <param name="Timestamp">Stopwatch timestamp when the platform recorded it.</param>
public readonly record struct BotReply(long ChatId, string Text, long? ReplyToMessageId, long Timestamp);

/// <summary>
/// The Telegram side of the demo: where simulated users write and where the bot's replies are recorded.
/// Implemented over <c>BotResilience.Telegram.Testing</c>'s emulator.
/// </summary>
public interface IChatPlatform : IAsyncDisposable
{
    /// <summary>Bot API base address the bot must call.</summary>
    string ApiBaseUrl { get; }

    /// <summary>Bot token the platform accepts.</summary>
    string Token { get; }

    /// <summary>Raised for every message the bot sends (on the platform's thread: keep it cheap).</summary>
    event Action<BotReply>? BotReplied;

    /// <summary>429 responses the platform handed out.</summary>
    long TooManyRequestsSent { get; }

    /// <summary>A user sends a text message; returns its message id.</summary>
    /// <param name="userId">User (= private chat id).</param>
    /// <param name="text">Text.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<long> SendTextAsync(long userId, string text, CancellationToken cancellationToken);

    /// <summary>A user shares a location (live when <paramref name="livePeriod"/> is set); returns its message id.</summary>
    /// <param name="userId">User.</param>
    /// <param name="latitude">Latitude.</param>
    /// <param name="longitude">Longitude.</param>
    /// <param name="livePeriod">Live period in seconds.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<long> SendLocationAsync(long userId, double latitude, double longitude, int? livePeriod, CancellationToken cancellationToken);

    /// <summary>A live location moves (edited_message); returns the message id.</summary>
    /// <param name="userId">User.</param>
    /// <param name="messageId">The live-location message.</param>
    /// <param name="latitude">Latitude.</param>
    /// <param name="longitude">Longitude.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task EditLocationAsync(long userId, long messageId, double latitude, double longitude, CancellationToken cancellationToken);

    /// <summary>A user presses an inline button under a bot message.</summary>
    /// <param name="userId">User.</param>
    /// <param name="botMessageId">Message carrying the button (0 if unknown).</param>
    /// <param name="data">callback_data.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The id the bot's reply will refer to.</returns>
    Task<long> PressButtonAsync(long userId, long botMessageId, string data, CancellationToken cancellationToken);
}
