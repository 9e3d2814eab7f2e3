namespace BotResilience.Monitoring;

/// <summary>Describes a thread-pool probe that started later than <see cref="ThreadPoolLagMonitorOptions.WarningThreshold"/>.</summary>
public sealed class ThreadPoolLagEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="monitorName">The monitor's name.</param>
    /// <param name="lag">How late the probe started.</param>
    /// <param name="threshold">The configured warning threshold.</param>
    public ThreadPoolLagEventArgs(string monitorName, TimeSpan lag, TimeSpan threshold)
    {
        MonitorName = monitorName;
        Lag = lag;
        Threshold = threshold;
    }

    /// <summary>Gets the monitor's name.</summary>
    public string MonitorName { get; }

    /// <summary>Gets how late the probe started (actual start minus scheduled time).</summary>
    public TimeSpan Lag { get; }

    /// <summary>Gets the configured warning threshold that <see cref="Lag"/> exceeded.</summary>
    public TimeSpan Threshold { get; }
}
