namespace BotResilience.Monitoring;

/// <summary>Names and tags of the health checks added by <c>AddBotResilienceChecks()</c>.</summary>
public static class BotResilienceHealthChecks
{
    /// <summary>The liveness tag (restart the process when failing): <c>live</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>The readiness tag (stop routing traffic when failing): <c>ready</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The watchdog check's name (tags: live).</summary>
    public const string WatchdogCheckName = "botresilience-watchdog";

    /// <summary>The thread-pool lag check's name (tags: live, ready).</summary>
    public const string ThreadPoolCheckName = "botresilience-threadpool";

    /// <summary>The circuit-breaker check's name (tags: ready).</summary>
    public const string CircuitBreakersCheckName = "botresilience-circuit-breakers";
}
