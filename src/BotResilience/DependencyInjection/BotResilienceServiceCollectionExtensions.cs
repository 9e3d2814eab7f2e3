using BotResilience.CircuitBreaking;
using BotResilience.DependencyInjection;
using BotResilience.Retry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers BotResilience pipelines, limiters, breakers and the flood gate.</summary>
public static class BotResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shared services (each only if not registered yet): <see cref="TimeProvider.System"/> as
    /// <see cref="TimeProvider"/>, a singleton <see cref="FloodGate"/> (also as <see cref="IFloodGate"/>), a
    /// <see cref="CircuitBreakerRegistry"/> (also as <see cref="ICircuitBreakerRegistry"/>) and
    /// <see cref="IResiliencePipelineProvider"/>; then runs <paramref name="configure"/> to add named components.
    /// Can be called several times; names are shared across calls.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds named pipelines, limiters and breakers.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddBotResilience(this IServiceCollection services, Action<BotResilienceBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new FloodGate(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IFloodGate>(static sp => sp.GetRequiredService<FloodGate>());
        services.TryAddSingleton(static sp => new CircuitBreakerRegistry(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ICircuitBreakerRegistry>(static sp => sp.GetRequiredService<CircuitBreakerRegistry>());
        services.TryAddSingleton<IResiliencePipelineProvider, ResiliencePipelineProvider>();

        var registrations = GetRegistrations(services);
        configure(new BotResilienceBuilder(services, registrations));
        return services;
    }

    private static PipelineRegistrations GetRegistrations(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(PipelineRegistrations) && descriptor.ImplementationInstance is PipelineRegistrations existing)
            {
                return existing;
            }
        }

        var registrations = new PipelineRegistrations();
        services.AddSingleton(registrations);
        return registrations;
    }
}
