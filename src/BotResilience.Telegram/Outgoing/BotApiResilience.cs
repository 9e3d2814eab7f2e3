namespace BotResilience.Telegram;

/// <summary>Creates resilient Bot API <see cref="HttpClient"/>s without dependency injection.</summary>
public static class BotApiResilience
{
    /// <summary>
    /// Creates an <see cref="HttpClient"/> whose requests go through a new <see cref="BotApiResilienceHandler"/>.
    /// Create one per bot process and keep it (its limits live as long as it does).
    /// </summary>
    /// <param name="options">The options; <see langword="null"/> for Telegram's documented limits.</param>
    /// <param name="innerHandler">The handler that sends; a <see cref="SocketsHttpHandler"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <returns>The client (disposing it disposes the handlers).</returns>
    public static HttpClient CreateHttpClient(BotApiResilienceOptions? options = null, HttpMessageHandler? innerHandler = null, TimeProvider? timeProvider = null)
        => new(CreateHandler(options, innerHandler, timeProvider), disposeHandler: true);

    /// <summary>Creates a <see cref="BotApiResilienceHandler"/> over <paramref name="innerHandler"/>.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="innerHandler">The handler that sends; a <see cref="SocketsHttpHandler"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The handler.</returns>
    public static BotApiResilienceHandler CreateHandler(BotApiResilienceOptions? options = null, HttpMessageHandler? innerHandler = null, TimeProvider? timeProvider = null)
        => new(innerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, options, timeProvider);
}
