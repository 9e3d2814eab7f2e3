namespace BotResilience.Monitoring;

/// <summary>Options for <see cref="ThreadPoolLagMonitor"/>.</summary>
public sealed class ThreadPoolLagMonitorOptions
{
    /// <summary>The largest accepted <see cref="Interval"/>: one hour.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    /// <summary>The largest accepted <see cref="SampleCount"/>.</summary>
    public const int MaxSampleCount = 100_000;

    /// <summary>Gets or sets the name reported in logs and as the <c>monitor</c> metric tag.</summary>
    /// <value>The default is <c>"default"</c>.</value>
    public string Name { get; set; } = "default";

    /// <summary>Gets or sets how often a probe work item is scheduled on the thread pool.</summary>
    /// <value>The default is 1 second. Allowed: greater than zero, at most <see cref="MaxInterval"/>.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the lag above which <see cref="ThreadPoolLagMonitor.LagThresholdExceeded"/> is raised and a warning is logged.
    /// </summary>
    /// <value>The default is 0.5 seconds (healthy pools stay well under 100 ms). Allowed: greater than zero.</value>
    public TimeSpan WarningThreshold { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many recent samples are kept for <see cref="ThreadPoolLagMonitor.MaxLag"/> and percentiles.</summary>
    /// <value>The default is 60 (one minute at the default interval). Allowed: 1 to <see cref="MaxSampleCount"/>.</value>
    public int SampleCount { get; set; } = 60;

    /// <summary>Throws when an option is outside its allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="Name"/> is null or empty.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("ThreadPoolLagMonitorOptions.Name must be a non-empty string.", nameof(Name));
        }

        if (Interval <= TimeSpan.Zero || Interval > MaxInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "ThreadPoolLagMonitorOptions.Interval must be greater than zero and at most 1 hour.");
        }

        if (WarningThreshold <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WarningThreshold), WarningThreshold, "ThreadPoolLagMonitorOptions.WarningThreshold must be greater than zero.");
        }

        if (SampleCount < 1 || SampleCount > MaxSampleCount)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleCount), SampleCount, "ThreadPoolLagMonitorOptions.SampleCount must be between 1 and 100000.");
        }
    }

    internal ThreadPoolLagMonitorOptions Clone() => (ThreadPoolLagMonitorOptions)MemberwiseClone();
}
