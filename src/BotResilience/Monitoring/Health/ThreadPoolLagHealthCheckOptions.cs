namespace BotResilience.Monitoring;

/// <summary>Thresholds of <see cref="ThreadPoolLagHealthCheck"/>, applied to <see cref="ThreadPoolLagMonitor.CurrentLag"/>.</summary>
public sealed class ThreadPoolLagHealthCheckOptions
{
    /// <summary>Gets or sets the lag above which the check reports Degraded.</summary>
    /// <value>The default is 0.5 seconds. Allowed: greater than zero.</value>
    public TimeSpan DegradedThreshold { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the lag above which the check reports Unhealthy.</summary>
    /// <value>The default is 2 seconds. Allowed: at least <see cref="DegradedThreshold"/>.</value>
    public TimeSpan UnhealthyThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Throws when an option is outside its allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (DegradedThreshold <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DegradedThreshold), DegradedThreshold, "ThreadPoolLagHealthCheckOptions.DegradedThreshold must be greater than zero.");
        }

        if (UnhealthyThreshold < DegradedThreshold)
        {
            throw new ArgumentOutOfRangeException(nameof(UnhealthyThreshold), UnhealthyThreshold, "ThreadPoolLagHealthCheckOptions.UnhealthyThreshold must be at least DegradedThreshold.");
        }
    }

    internal ThreadPoolLagHealthCheckOptions Clone() => (ThreadPoolLagHealthCheckOptions)MemberwiseClone();
}
