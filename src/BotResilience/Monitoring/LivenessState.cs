namespace BotResilience.Monitoring;

/// <summary>The state of a <see cref="LivenessSource"/> as judged by its <see cref="Watchdog"/>.</summary>
public enum LivenessState
{
    /// <summary>The source has not beaten yet and has not been silent longer than its limit (or the grace period is running).</summary>
    NeverSeen,

    /// <summary>The source beat within its silence limit (or the grace period is running).</summary>
    Healthy,

    /// <summary>The source has been silent longer than its silence limit after the grace period.</summary>
    Stale,
}
