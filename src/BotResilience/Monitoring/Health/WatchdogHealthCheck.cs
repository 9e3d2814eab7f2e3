using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BotResilience.Monitoring;

/// <summary>
/// Reports Unhealthy while a liveness source whose action is <see cref="WatchdogAction.MarkUnhealthy"/> or stronger is stale,
/// Degraded while only <see cref="WatchdogAction.Log"/> sources are stale, Healthy otherwise. Data: each source's state.
/// </summary>
public sealed class WatchdogHealthCheck : IHealthCheck
{
    private readonly Watchdog _watchdog;

    /// <summary>Creates the check.</summary>
    /// <param name="watchdog">The watchdog to judge.</param>
    public WatchdogHealthCheck(Watchdog watchdog)
    {
        ArgumentNullException.ThrowIfNull(watchdog);
        _watchdog = watchdog;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = _watchdog.GetStatus();
        var data = new Dictionary<string, object>(status.Sources.Count);
        List<string>? stale = null;
        foreach (var source in status.Sources)
        {
            data[source.Name] = source.State.ToString();
            if (source.State == LivenessState.Stale)
            {
                (stale ??= []).Add($"{source.Name} (silent {source.Silence.TotalSeconds:F0} s > {source.SilenceLimit.TotalSeconds:F0} s)");
            }
        }

        HealthCheckResult result;
        if (stale is null)
        {
            result = HealthCheckResult.Healthy(status.InGracePeriod ? "All liveness sources fine (grace period)." : "All liveness sources fine.", data);
        }
        else
        {
            var description = "Stale liveness sources: " + string.Join(", ", stale) + ".";
            result = status.IsHealthy
                ? HealthCheckResult.Degraded(description, data: data)
                : HealthCheckResult.Unhealthy(description, data: data);
        }

        return Task.FromResult(result);
    }
}
