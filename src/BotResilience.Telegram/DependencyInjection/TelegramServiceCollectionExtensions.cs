using BotResilience.Telegram;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Bot API resilience handler with <c>IHttpClientFactory</c>.</summary>
public static class TelegramServiceCollectionExtensions
{
    /// <summary>The default name of the <see cref="HttpClient"/> registered by <see cref="AddTelegramBotApiResilience(IServiceCollection, Action{BotApiResilienceOptions}?)"/>.</summary>
    public const string DefaultClientName = "BotResilience.Telegram";

    /// <summary>
    /// Registers the named <see cref="HttpClient"/> <see cref="DefaultClientName"/> whose pipeline contains a
    /// <see cref="BotApiResilienceHandler"/>. The limits state is a singleton, so it survives the factory's handler
    /// rotation. Pass the client to a Bot API client:
    /// <c>new TelegramBotClient(new TelegramBotClientOptions(token) { RetryThreshold = 0 }, factory.CreateClient(DefaultClientName))</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options (validated here, at registration).</param>
    /// <returns>The client builder, to add more handlers or configure the primary handler.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static IHttpClientBuilder AddTelegramBotApiResilience(this IServiceCollection services, Action<BotApiResilienceOptions>? configure = null)
        => services.AddTelegramBotApiResilience(DefaultClientName, configure);

    /// <summary>Like <see cref="AddTelegramBotApiResilience(IServiceCollection, Action{BotApiResilienceOptions}?)"/> with a client name of your choice (one limits state per name).</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The client name.</param>
    /// <param name="configure">Configures the options (validated here, at registration).</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddTelegramBotApiResilience(this IServiceCollection services, string name, Action<BotApiResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new BotApiResilienceOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddKeyedSingleton(name, (sp, _) => new BotApiResilienceEngine(
            options,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("BotResilience.Telegram")));
        return services.AddHttpClient(name)
            .AddHttpMessageHandler(sp => new BotApiResilienceHandler(sp.GetRequiredKeyedService<BotApiResilienceEngine>(name)));
    }
}
