namespace BotResilience.Monitoring;

/// <summary>A snapshot of one liveness source as judged by a <see cref="Watchdog"/>.</summary>
/// <param name="Name">The source's name.</param>
/// <param name="State">The judged state.</param>
/// <param name="Silence">The time since the last beat, or since watching began if it never beat.</param>
/// <param name="SilenceLimit">The source's silence limit.</param>
/// <param name="LastBeat">When the source last beat (UTC), or <see langword="null"/> if it never beat.</param>
/// <param name="Action">The action taken when the source goes stale.</param>
public sealed record LivenessSourceStatus(
    string Name,
    LivenessState State,
    TimeSpan Silence,
    TimeSpan SilenceLimit,
    DateTimeOffset? LastBeat,
    WatchdogAction Action);
