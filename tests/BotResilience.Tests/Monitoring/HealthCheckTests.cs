using BotResilience.CircuitBreaking;
using BotResilience.Monitoring;
using BotResilience.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BotResilience.Tests.Monitoring;

public sealed class HealthCheckTests
{
    private static readonly HealthCheckContext Context = new();

    [Fact]
    public async Task ThreadPool_check_follows_the_lag_thresholds()
    {
        var time = new ManualTimeProvider();
        using var monitor = new ThreadPoolLagMonitor(null, time);
        var queued = new Queue<IThreadPoolWorkItem>();
        monitor.QueueOverride = queued.Enqueue;
        var check = new ThreadPoolLagHealthCheck(monitor, new ThreadPoolLagHealthCheckOptions { DegradedThreshold = TimeSpan.FromMilliseconds(100), UnhealthyThreshold = TimeSpan.FromSeconds(1) });

        Assert.Equal(HealthStatus.Degraded, (await check.CheckHealthAsync(Context)).Status); // not running measures nothing
        monitor.Start();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(Context)).Status);

        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMilliseconds(150));
        var degraded = await check.CheckHealthAsync(Context);
        Assert.Equal(HealthStatus.Degraded, degraded.Status); // the overdue probe already counts
        Assert.Equal(150.0, (double)degraded.Data["lag_ms"]);

        time.Advance(TimeSpan.FromSeconds(1));
        var unhealthy = await check.CheckHealthAsync(Context);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("starved", unhealthy.Description, StringComparison.Ordinal);

        queued.Dequeue().Execute();
        time.Advance(TimeSpan.FromSeconds(1));
        queued.Dequeue().Execute();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(Context)).Status);
    }

    [Fact]
    public void ThreadPool_check_thresholds_are_validated()
    {
        using var monitor = new ThreadPoolLagMonitor();
        Assert.Equal("UnhealthyThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolLagHealthCheck(monitor, new() { DegradedThreshold = TimeSpan.FromSeconds(2), UnhealthyThreshold = TimeSpan.FromSeconds(1) })).ParamName);
        Assert.Equal("DegradedThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolLagHealthCheck(monitor, new() { DegradedThreshold = TimeSpan.Zero })).ParamName);
    }

    [Fact]
    public async Task Watchdog_check_is_unhealthy_for_stale_sources_that_mark_unhealthy_and_degraded_for_log_only_ones()
    {
        var time = new ManualTimeProvider();
        var watchdog = new Watchdog(new WatchdogOptions { GracePeriod = TimeSpan.Zero, Action = WatchdogAction.MarkUnhealthy }, time);
        var webhook = watchdog.Register("webhook", TimeSpan.FromSeconds(180));
        var reports = watchdog.Register("reports", new WatchdogSourceOptions { SilenceLimit = TimeSpan.FromSeconds(30), Action = WatchdogAction.Log });
        var check = new WatchdogHealthCheck(watchdog);
        webhook.Beat();
        reports.Beat();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(Context)).Status);

        time.Advance(TimeSpan.FromSeconds(31));
        webhook.Beat();
        var degraded = await check.CheckHealthAsync(Context);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("reports", degraded.Description, StringComparison.Ordinal);
        Assert.Equal("Stale", degraded.Data["reports"]);
        Assert.Equal("Healthy", degraded.Data["webhook"]);

        time.Advance(TimeSpan.FromSeconds(181));
        var unhealthy = await check.CheckHealthAsync(Context);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("webhook (silent 181 s > 180 s)", unhealthy.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CircuitBreaker_check_reports_open_and_isolated_breakers()
    {
        var time = new ManualTimeProvider();
        var registry = new CircuitBreakerRegistry(time);
        var telegram = registry.GetOrAdd("telegram", new CircuitBreakerOptions { Name = "telegram", FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(300) });
        var payments = registry.GetOrAdd("payments", new CircuitBreakerOptions { Name = "payments" });
        var check = new CircuitBreakerHealthCheck(registry);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(Context)).Status);

        for (var i = 0; i < 2; i++)
        {
            Assert.True(telegram.TryEnter(out _));
            telegram.RecordFailure();
        }

        var open = await check.CheckHealthAsync(Context);
        Assert.Equal(HealthStatus.Degraded, open.Status);
        Assert.Equal("Open", open.Data["telegram"]);
        Assert.Equal("Closed", open.Data["payments"]);
        Assert.Contains("telegram (Open)", open.Description, StringComparison.Ordinal);

        payments.Isolate();
        var strict = new CircuitBreakerHealthCheck(registry, HealthStatus.Unhealthy);
        var isolated = await strict.CheckHealthAsync(Context);
        Assert.Equal(HealthStatus.Unhealthy, isolated.Status);
        Assert.Contains("payments (Isolated)", isolated.Description, StringComparison.Ordinal);

        telegram.Reset();
        payments.Reset();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(Context)).Status);
    }
}
