using BotResilience.Monitoring;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers BotResilience monitoring (lag monitor, watchdog, unobserved-exception counter, supervised workers).</summary>
public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="ThreadPoolLagMonitor"/>, <see cref="Watchdog"/> and <see cref="UnobservedTaskExceptionCounter"/>
    /// (each can be disabled) and a hosted service that starts and stops them with the host. Options are validated here.
    /// Uses <see cref="TimeProvider"/> and <see cref="IHostApplicationLifetime"/> from the container when registered.
    /// Calling it again does nothing.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static IServiceCollection AddBotResilienceMonitoring(this IServiceCollection services, Action<BotResilienceMonitoringOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(BotResilienceMonitoringOptions)))
        {
            return services;
        }

        var options = new BotResilienceMonitoringOptions();
        configure?.Invoke(options);
        options.Validate();
        var sources = options.WatchdogSources.ToArray();
        services.AddSingleton(options);

        if (options.EnableLagMonitor)
        {
            services.TryAddSingleton(sp => new ThreadPoolLagMonitor(options.LagMonitor, sp.GetService<TimeProvider>(), sp.GetService<ILogger<ThreadPoolLagMonitor>>()));
        }

        if (options.EnableWatchdog)
        {
            services.TryAddSingleton(sp =>
            {
                var watchdog = new Watchdog(options.Watchdog, sp.GetService<TimeProvider>(), sp.GetService<ILogger<Watchdog>>(), sp.GetService<IHostApplicationLifetime>());
                foreach (var (name, source) in sources)
                {
                    watchdog.Register(name, source);
                }

                return watchdog;
            });
        }

        if (options.CountUnobservedTaskExceptions)
        {
            services.TryAddSingleton(sp => new UnobservedTaskExceptionCounter(sp.GetService<ILogger<UnobservedTaskExceptionCounter>>()));
        }

        services.AddHostedService(sp => new MonitoringHostedService(
            options.EnableLagMonitor ? sp.GetService<ThreadPoolLagMonitor>() : null,
            options.EnableWatchdog ? sp.GetService<Watchdog>() : null,
            options.CountUnobservedTaskExceptions ? sp.GetService<UnobservedTaskExceptionCounter>() : null));
        return services;
    }

    /// <summary>
    /// Runs <typeparamref name="TWork"/> (registered as a singleton if not yet registered) as a <see cref="SupervisedWorker"/>
    /// hosted service named <paramref name="name"/>. The worker is also registered as a keyed singleton (key = name) and,
    /// when a <see cref="Watchdog"/> is registered, beats a liveness source of the same name. Options are validated here.
    /// </summary>
    /// <typeparam name="TWork">The iteration body.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="name">The worker's unique name (overrides <see cref="PeriodicWorkerOptions.Name"/>).</param>
    /// <param name="configure">Adjusts the options (interval, timeout, backoff...).</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentException">The name is empty or already used by another supervised worker.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static IServiceCollection AddSupervisedWorker<TWork>(this IServiceCollection services, string name, Action<PeriodicWorkerOptions>? configure = null)
        where TWork : class, IPeriodicWork
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (services.Any(d => d.ServiceType == typeof(SupervisedWorker) && d.IsKeyedService && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A supervised worker named '{name}' is already registered.", nameof(name));
        }

        var options = new PeriodicWorkerOptions();
        configure?.Invoke(options);
        options.Name = name;
        options.Validate();

        services.TryAddSingleton<TWork>();
        services.AddKeyedSingleton(name, (sp, _) => new SupervisedWorker(
            options,
            sp.GetRequiredService<TWork>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<SupervisedWorker>>(),
            sp.GetService<Watchdog>()));
        services.AddSingleton<IHostedService>(sp => new SupervisedWorkerBackgroundService(sp.GetRequiredKeyedService<SupervisedWorker>(name)));
        return services;
    }
}
