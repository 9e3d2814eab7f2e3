namespace BotResilience.Monitoring;

/// <summary>Options for <see cref="Watchdog"/>.</summary>
public sealed class WatchdogOptions
{
    /// <summary>Gets or sets how long after <see cref="Watchdog.Start"/> (or a source's registration, if later) no source is judged stale.</summary>
    /// <value>The default is 60 seconds (seed 004). Allowed: zero or more.</value>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how often the started watchdog runs <see cref="Watchdog.Check"/>.</summary>
    /// <value>The default is 5 seconds. Allowed: greater than zero, at most 1 hour.</value>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the action for sources that do not set <see cref="WatchdogSourceOptions.Action"/>.</summary>
    /// <value>The default is <see cref="WatchdogAction.MarkUnhealthy"/>.</value>
    public WatchdogAction Action { get; set; } = WatchdogAction.MarkUnhealthy;

    /// <summary>Gets or sets the process exit code used by <see cref="WatchdogAction.TerminateProcess"/>.</summary>
    /// <value>The default is 1.</value>
    public int ExitCode { get; set; } = 1;

    /// <summary>Throws when an option is outside its allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (GracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(GracePeriod), GracePeriod, "WatchdogOptions.GracePeriod must be zero or more.");
        }

        if (CheckInterval <= TimeSpan.Zero || CheckInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(CheckInterval), CheckInterval, "WatchdogOptions.CheckInterval must be greater than zero and at most 1 hour.");
        }

        if (!Enum.IsDefined(Action))
        {
            throw new ArgumentOutOfRangeException(nameof(Action), Action, "WatchdogOptions.Action must be a defined WatchdogAction.");
        }
    }

    internal WatchdogOptions Clone() => (WatchdogOptions)MemberwiseClone();
}
