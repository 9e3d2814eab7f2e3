using BotResilience.Telegram.Testing;

namespace BotResilience.SampleBot.Demo;

/// <summary><see cref="IChatPlatform"/> over the in-process <see cref="BotApiEmulator"/> (Kestrel on 127.0.0.1).</summary>
public sealed class EmulatorPlatform : IChatPlatform
{
    private readonly BotApiEmulator _emulator;

    private EmulatorPlatform(BotApiEmulator emulator)
    {
        _emulator = emulator;
        _emulator.MessageAccepted += OnAccepted;
    }

    /// <inheritdoc />
    public event Action<BotReply>? BotReplied;

    /// <summary>The emulator.</summary>
    public BotApiEmulator Emulator => _emulator;

    /// <inheritdoc />
    public string ApiBaseUrl => _emulator.BaseAddress.ToString().TrimEnd('/');

    /// <inheritdoc />
    public string Token => BotApiEmulator.TestToken;

    /// <inheritdoc />
    public long TooManyRequestsSent => _emulator.TooManyRequestsCount;

    /// <summary>Starts an emulator with Telegram's documented limits.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    public static Task<IChatPlatform> StartAsync(CancellationToken cancellationToken) => StartAsync(null, cancellationToken);

    /// <summary>Starts an emulator.</summary>
    /// <param name="configure">Adjusts the emulator options.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public static async Task<IChatPlatform> StartAsync(Action<BotApiEmulatorOptions>? configure, CancellationToken cancellationToken)
    {
        var options = new BotApiEmulatorOptions();
        options.AcceptedTokens.Add(BotApiEmulator.TestToken);
        options.WebhookTimeout = TimeSpan.FromSeconds(60); // Telegram waits about a minute before re-sending
        configure?.Invoke(options);
        BotApiEmulator emulator = await BotApiEmulator.StartNewAsync(options, cancellationToken);
        return new EmulatorPlatform(emulator);
    }

    /// <inheritdoc />
    public long SendText(long userId, string text) => _emulator.SendUserMessage(userId, text);

    /// <inheritdoc />
    public long SendLocation(long userId, double latitude, double longitude, int? livePeriod) => _emulator.SendLocation(userId, latitude, longitude, livePeriod);

    /// <inheritdoc />
    public long MoveLiveLocation(long userId, double latitude, double longitude) => _emulator.UpdateLiveLocation(userId, latitude, longitude);

    /// <inheritdoc />
    public long PressButton(long userId, string data) => _emulator.PressButton(userId, data);

    private void OnAccepted(object? sender, SentMessage m) => BotReplied?.Invoke(new BotReply(m.ChatId, m.Text ?? string.Empty, m.ReceivedTimestamp));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _emulator.MessageAccepted -= OnAccepted;
        await _emulator.DisposeAsync();
    }
}
