namespace BotResilience.SampleBot.Demo;

/// <summary>A message the bot sent, as recorded by the platform.</summary>
/// <param name="ChatId">Chat.</param>
/// <param name="Text">Text.</param>
/// <param name="Timestamp">Stopwatch timestamp when the platform recorded it.</param>
public readonly record struct BotReply(long ChatId, string Text, long Timestamp);

/// <summary>
/// The Telegram side of the demo: where simulated users write and where the bot's replies are recorded.
/// Implemented over <c>BotResilience.Telegram.Testing</c>'s emulator (<see cref="EmulatorPlatform"/>).
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

    /// <summary>A user sends a text message; returns the update id.</summary>
    /// <param name="userId">User (= private chat id).</param>
    /// <param name="text">Text.</param>
    long SendText(long userId, string text);

    /// <summary>A user shares a location (live when <paramref name="livePeriod"/> is set); returns the update id.</summary>
    /// <param name="userId">User.</param>
    /// <param name="latitude">Latitude.</param>
    /// <param name="longitude">Longitude.</param>
    /// <param name="livePeriod">Live period in seconds.</param>
    long SendLocation(long userId, double latitude, double longitude, int? livePeriod);

    /// <summary>The user's live location moves (edited_message); returns the update id.</summary>
    /// <param name="userId">User.</param>
    /// <param name="latitude">Latitude.</param>
    /// <param name="longitude">Longitude.</param>
    long MoveLiveLocation(long userId, double latitude, double longitude);

    /// <summary>A user presses an inline button under the bot's last message; returns the update id.</summary>
    /// <param name="userId">User.</param>
    /// <param name="data">callback_data.</param>
    long PressButton(long userId, string data);
}
