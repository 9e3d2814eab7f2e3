namespace BotResilience.Monitoring;

/// <summary>Options for <c>services.AddBotResilienceMonitoring(...)</c>.</summary>
public sealed class BotResilienceMonitoringOptions
{
    /// <summary>Gets or sets whether a <see cref="ThreadPoolLagMonitor"/> is registered and started with the host.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EnableLagMonitor { get; set; } = true;

    /// <summary>Gets or sets whether a <see cref="Watchdog"/> is registered and started with the host.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EnableWatchdog { get; set; } = true;

    /// <summary>Gets or sets whether an <see cref="UnobservedTaskExceptionCounter"/> is registered and subscribed with the host.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool CountUnobservedTaskExceptions { get; set; } = true;

    /// <summary>Gets the lag monitor's options.</summary>
    public ThreadPoolLagMonitorOptions LagMonitor { get; } = new();

    /// <summary>Gets the watchdog's options.</summary>
    public WatchdogOptions Watchdog { get; } = new();

    /// <summary>Gets the thresholds of the thread-pool health check added by <c>AddBotResilienceChecks()</c>.</summary>
    public ThreadPoolLagHealthCheckOptions LagHealthCheck { get; } = new();

    /// <summary>
    /// Gets the liveness sources registered on the watchdog when it is created, by name
    /// (for example <c>["webhook"] = new() { SilenceLimit = TimeSpan.FromSeconds(180) }</c>); beat them via <see cref="Monitoring.Watchdog.Beat(string)"/>
    /// or <see cref="Monitoring.Watchdog.TryGetSource"/>.
    /// </summary>
    public IDictionary<string, WatchdogSourceOptions> WatchdogSources { get; } = new Dictionary<string, WatchdogSourceOptions>(StringComparer.Ordinal);

    /// <summary>Throws when an option is outside its allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        LagMonitor.Validate();
        Watchdog.Validate();
        LagHealthCheck.Validate();
        foreach (var (name, source) in WatchdogSources)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("BotResilienceMonitoringOptions.WatchdogSources keys must be non-empty.", nameof(WatchdogSources));
            }

            ArgumentNullException.ThrowIfNull(source, nameof(WatchdogSources));
            source.Validate();
        }
    }
}
