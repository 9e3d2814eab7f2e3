namespace BotResilience.Monitoring;

/// <summary>A snapshot of a <see cref="Watchdog"/> and all of its sources.</summary>
/// <param name="IsHealthy">False while a stale source's action is <see cref="WatchdogAction.MarkUnhealthy"/> or stronger.</param>
/// <param name="InGracePeriod">Whether the watchdog's start-up grace period is still running.</param>
/// <param name="CheckedAt">When the snapshot was taken (UTC).</param>
/// <param name="Sources">Every registered source, in name order.</param>
public sealed record WatchdogStatus(
    bool IsHealthy,
    bool InGracePeriod,
    DateTimeOffset CheckedAt,
    IReadOnlyList<LivenessSourceStatus> Sources);
