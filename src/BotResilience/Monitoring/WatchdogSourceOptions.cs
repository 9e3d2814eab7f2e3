namespace BotResilience.Monitoring;

/// <summary>Options for one <see cref="LivenessSource"/> registered with <see cref="Watchdog.Register(string, WatchdogSourceOptions)"/>.</summary>
public sealed class WatchdogSourceOptions
{
    /// <summary>Gets or sets how long the source may stay silent before it is stale.</summary>
    /// <value>The default is 180 seconds (seed 004). Allowed: greater than zero.</value>
    public TimeSpan SilenceLimit { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>Gets or sets the action when this source goes stale; <see langword="null"/> uses <see cref="WatchdogOptions.Action"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public WatchdogAction? Action { get; set; }

    /// <summary>Throws when an option is outside its allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (SilenceLimit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceLimit), SilenceLimit, "WatchdogSourceOptions.SilenceLimit must be greater than zero.");
        }

        if (Action is { } action && !Enum.IsDefined(action))
        {
            throw new ArgumentOutOfRangeException(nameof(Action), action, "WatchdogSourceOptions.Action must be a defined WatchdogAction.");
        }
    }
}
