namespace BotResilience.Monitoring;

/// <summary>What a <see cref="Watchdog"/> does when a liveness source goes stale. Each action includes the ones before it.</summary>
public enum WatchdogAction
{
    /// <summary>Log an error and raise <see cref="Watchdog.SourceStale"/> only; <see cref="Watchdog.IsHealthy"/> stays true (observe-only mode).</summary>
    Log,

    /// <summary>Also report the watchdog unhealthy (<see cref="Watchdog.IsHealthy"/> false, health check Unhealthy) while the source is stale.</summary>
    MarkUnhealthy,

    /// <summary>Also stop the generic host gracefully (<c>IHostApplicationLifetime.StopApplication()</c>), so a supervisor restarts it.</summary>
    StopHost,

    /// <summary>Also terminate the process with <see cref="WatchdogOptions.ExitCode"/> (<see cref="Environment.Exit(int)"/>), so a supervisor restarts it.</summary>
    TerminateProcess,
}
