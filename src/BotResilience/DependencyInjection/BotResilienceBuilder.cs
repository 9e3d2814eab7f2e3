using BotResilience.CircuitBreaking;
using BotResilience.Pipelines;
using BotResilience.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BotResilience.DependencyInjection;

/// <summary>
/// Registers named pipelines, limiters and circuit breakers (see
/// <see cref="BotResilienceServiceCollectionExtensions.AddBotResilience"/>). Limiter and breaker options are named
/// options (<c>IOptionsMonitor&lt;T&gt;.Get(name)</c>), so they can also be bound from configuration with
/// <c>services.Configure&lt;T&gt;(name, section)</c>; they are validated when the host starts.
/// </summary>
public sealed class BotResilienceBuilder
{
    private readonly PipelineRegistrations _pipelines;

    internal BotResilienceBuilder(IServiceCollection services, PipelineRegistrations pipelines)
    {
        Services = services;
        _pipelines = pipelines;
    }

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a pipeline named <paramref name="name"/>, built once on first use by
    /// <see cref="IResiliencePipelineProvider.GetPipeline(string)"/> (also resolvable as a keyed
    /// <see cref="ResiliencePipeline"/> service). The builder uses the container's <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="name">The pipeline name; unique.</param>
    /// <param name="configure">Adds strategies; may resolve limiters, breakers and the flood gate from the provider.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A pipeline with that name is already registered.</exception>
    public BotResilienceBuilder AddPipeline(string name, Action<ResiliencePipelineBuilder, IServiceProvider> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (!_pipelines.Configurations.TryAdd(name, configure))
        {
            throw new ArgumentException($"A resilience pipeline named '{name}' is already registered.", nameof(name));
        }

        Services.AddKeyedSingleton(name, static (sp, key) => sp.GetRequiredService<IResiliencePipelineProvider>().GetPipeline((string)key!));
        return this;
    }

    /// <summary>
    /// Registers an exact sliding-window limiter as a keyed singleton <see cref="IRateLimiter"/> named
    /// <paramref name="name"/> (<c>GetRequiredKeyedService&lt;IRateLimiter&gt;(name)</c>).
    /// </summary>
    /// <param name="name">The limiter name (also the options name).</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>This builder.</returns>
    public BotResilienceBuilder AddSlidingWindowLimiter(string name, Action<SlidingWindowLimiterOptions> configure) =>
        AddLimiter(name, configure, "Sliding window limiter", static (o, t) => new SlidingWindowLimiter(o, t));

    /// <summary>
    /// Registers a token-bucket limiter as a keyed singleton <see cref="IRateLimiter"/> named <paramref name="name"/>.
    /// </summary>
    /// <param name="name">The limiter name (also the options name).</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>This builder.</returns>
    public BotResilienceBuilder AddTokenBucketLimiter(string name, Action<TokenBucketLimiterOptions> configure) =>
        AddLimiter(name, configure, "Token bucket limiter", static (o, t) => new TokenBucketLimiter(o, t));

    /// <summary>
    /// Registers a keyed sliding-window limiter (one window per key, idle keys dropped) as a keyed singleton
    /// <see cref="IKeyedRateLimiter{TKey}"/> named <paramref name="name"/>.
    /// </summary>
    /// <typeparam name="TKey">The key type (user id, chat id...).</typeparam>
    /// <param name="name">The limiter name (also the options name).</param>
    /// <param name="configure">Configures the per-key limit.</param>
    /// <returns>This builder.</returns>
    public BotResilienceBuilder AddKeyedSlidingWindowLimiter<TKey>(string name, Action<SlidingWindowLimiterOptions> configure)
        where TKey : notnull
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        RegisterOptions(name, configure, "Keyed sliding window limiter", static o => new KeyedRateLimiter<TKey>(o));
        Services.AddKeyedSingleton<IKeyedRateLimiter<TKey>>(name, static (sp, key) =>
            new KeyedRateLimiter<TKey>(sp.GetRequiredService<IOptionsMonitor<SlidingWindowLimiterOptions>>().Get((string)key!), sp.GetRequiredService<TimeProvider>()));
        return this;
    }

    /// <summary>
    /// Registers a circuit breaker named <paramref name="name"/> in the <see cref="CircuitBreakerRegistry"/> (and as a
    /// keyed singleton <see cref="CircuitBreaker"/>), so health checks see it.
    /// </summary>
    /// <param name="name">The breaker name (also the options name and <see cref="CircuitBreakerOptions.Name"/>).</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>This builder.</returns>
    public BotResilienceBuilder AddCircuitBreaker(string name, Action<CircuitBreakerOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        RegisterOptions<CircuitBreakerOptions>(
            name,
            o =>
            {
                o.Name = name;
                configure?.Invoke(o);
            },
            "Circuit breaker",
            static o =>
            {
                _ = new CircuitBreaker(o);
                return null;
            });
        Services.AddKeyedSingleton(name, static (sp, key) =>
            sp.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd((string)key!, sp.GetRequiredService<IOptionsMonitor<CircuitBreakerOptions>>().Get((string)key!)));
        return this;
    }

    private BotResilienceBuilder AddLimiter<TOptions>(
        string name, Action<TOptions> configure, string component, Func<TOptions, TimeProvider, IRateLimiter> create)
        where TOptions : RateLimitOptions
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        RegisterOptions(name, configure, component, o => create(o, TimeProvider.System) as IDisposable);
        Services.AddKeyedSingleton(name, (sp, key) =>
            create(sp.GetRequiredService<IOptionsMonitor<TOptions>>().Get((string)key!), sp.GetRequiredService<TimeProvider>()));
        return this;
    }

    private void RegisterOptions<TOptions>(string name, Action<TOptions> configure, string component, Func<TOptions, IDisposable?> construct)
        where TOptions : class
    {
        Services.AddOptions<TOptions>(name).Configure(configure).ValidateOnStart();
        Services.AddSingleton<IValidateOptions<TOptions>>(new ConstructionOptionsValidator<TOptions>(name, component, construct));
    }
}
