using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BotResilience.Monitoring;

/// <summary>
/// Reports the thread pool Degraded or Unhealthy when <see cref="ThreadPoolLagMonitor.CurrentLag"/> (which includes an
/// overdue probe, so a fully hung pool is caught) exceeds the thresholds; Degraded when the monitor is not running.
/// </summary>
public sealed class ThreadPoolLagHealthCheck : IHealthCheck
{
    private readonly ThreadPoolLagMonitor _monitor;
    private readonly ThreadPoolLagHealthCheckOptions _options;

    /// <summary>Creates the check.</summary>
    /// <param name="monitor">The monitor to read.</param>
    /// <param name="options">The thresholds, validated here; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is out of range.</exception>
    public ThreadPoolLagHealthCheck(ThreadPoolLagMonitor monitor, ThreadPoolLagHealthCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitor = monitor;
        _options = (options ?? new ThreadPoolLagHealthCheckOptions()).Clone();
        _options.Validate();
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var s = _monitor.GetSnapshot();
        var data = new Dictionary<string, object>
        {
            ["lag_ms"] = s.CurrentLag.TotalMilliseconds,
            ["max_lag_ms"] = s.MaxLag.TotalMilliseconds,
            ["p50_ms"] = s.P50.TotalMilliseconds,
            ["p95_ms"] = s.P95.TotalMilliseconds,
            ["p99_ms"] = s.P99.TotalMilliseconds,
            ["samples"] = s.SampleCount,
            ["threads"] = s.ThreadCount,
            ["queue_length"] = s.PendingWorkItemCount,
        };

        HealthCheckResult result;
        if (!_monitor.IsRunning)
        {
            result = HealthCheckResult.Degraded($"Thread-pool lag monitor '{_monitor.Name}' is not running.", data: data);
        }
        else if (s.CurrentLag > _options.UnhealthyThreshold)
        {
            result = HealthCheckResult.Unhealthy(Describe(s, _options.UnhealthyThreshold), data: data);
        }
        else if (s.CurrentLag > _options.DegradedThreshold)
        {
            result = HealthCheckResult.Degraded(Describe(s, _options.DegradedThreshold), data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy($"Thread-pool lag {s.CurrentLag.TotalMilliseconds:F0} ms (p99 {s.P99.TotalMilliseconds:F0} ms).", data);
        }

        return Task.FromResult(result);
    }

    private static string Describe(ThreadPoolLagSnapshot s, TimeSpan threshold) =>
        $"Thread pool starved: lag {s.CurrentLag.TotalMilliseconds:F0} ms > {threshold.TotalMilliseconds:F0} ms (threads {s.ThreadCount}, queued {s.PendingWorkItemCount}).";
}
