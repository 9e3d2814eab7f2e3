using BotResilience.Monitoring;
using BotResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BotResilience.Tests.Monitoring;

public sealed class MonitoringHostingTests
{
    [Fact]
    public async Task Host_starts_and_stops_the_monitor_the_watchdog_and_supervised_workers()
    {
        var time = new ManualTimeProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ProbeWork>();
        builder.Services.AddBotResilienceMonitoring(o =>
        {
            o.Watchdog.GracePeriod = TimeSpan.FromSeconds(60);
            o.WatchdogSources["webhook"] = new WatchdogSourceOptions { SilenceLimit = TimeSpan.FromSeconds(180) };
        });
        builder.Services.AddSupervisedWorker<ProbeWork>("reminders", o => o.Interval = TimeSpan.FromSeconds(30));
        using var host = builder.Build();

        var monitor = host.Services.GetRequiredService<ThreadPoolLagMonitor>();
        var watchdog = host.Services.GetRequiredService<Watchdog>();
        var worker = host.Services.GetRequiredKeyedService<SupervisedWorker>("reminders");
        var work = host.Services.GetRequiredService<ProbeWork>();
        Assert.False(monitor.IsRunning);

        await host.StartAsync();
        Assert.True(monitor.IsRunning);
        Assert.True(watchdog.IsRunning);
        await work.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(worker.IsRunning);
        Assert.Equal(["reminders", "webhook"], watchdog.GetStatus().Sources.Select(s => s.Name)); // the worker registered itself
        Assert.NotNull(host.Services.GetRequiredService<UnobservedTaskExceptionCounter>());

        await host.StopAsync();
        Assert.False(monitor.IsRunning);
        Assert.False(watchdog.IsRunning);
        Assert.False(worker.IsRunning);
        Assert.Equal(WorkerIterationOutcome.Cancelled, worker.LastOutcome); // stop cancelled the running iteration
    }

    [Fact]
    public async Task StopHost_action_stops_a_real_host()
    {
        var time = new ManualTimeProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddBotResilienceMonitoring(o =>
        {
            o.EnableLagMonitor = false;
            o.Watchdog.Action = WatchdogAction.StopHost;
            o.WatchdogSources["webhook"] = new WatchdogSourceOptions { SilenceLimit = TimeSpan.FromSeconds(180) };
        });
        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        await host.StartAsync();
        Assert.Null(host.Services.GetService<ThreadPoolLagMonitor>());

        time.Advance(TimeSpan.FromSeconds(175));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        await host.StopAsync();
    }

    [Fact]
    public async Task Health_checks_are_tagged_for_liveness_and_readiness()
    {
        var time = new ManualTimeProvider();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddBotResilienceMonitoring(o =>
        {
            o.Watchdog.GracePeriod = TimeSpan.Zero;
            o.WatchdogSources["webhook"] = new WatchdogSourceOptions { SilenceLimit = TimeSpan.FromSeconds(180) };
        });
        services.AddHealthChecks().AddBotResilienceChecks("botresilience");
        await using var sp = services.BuildServiceProvider();
        sp.GetRequiredService<ThreadPoolLagMonitor>().Start();
        var health = sp.GetRequiredService<HealthCheckService>();

        var live = await health.CheckHealthAsync(r => r.Tags.Contains(BotResilienceHealthChecks.LiveTag));
        Assert.Equal(HealthStatus.Healthy, live.Status);
        Assert.Equal(
            [BotResilienceHealthChecks.ThreadPoolCheckName, BotResilienceHealthChecks.WatchdogCheckName],
            live.Entries.Keys.Order(StringComparer.Ordinal));
        var ready = await health.CheckHealthAsync(r => r.Tags.Contains(BotResilienceHealthChecks.ReadyTag));
        Assert.DoesNotContain(BotResilienceHealthChecks.WatchdogCheckName, ready.Entries.Keys);
        Assert.Contains(BotResilienceHealthChecks.ThreadPoolCheckName, ready.Entries.Keys);
        Assert.Contains(BotResilienceHealthChecks.CircuitBreakersCheckName, ready.Entries.Keys);
        Assert.DoesNotContain(BotResilienceHealthChecks.CircuitBreakersCheckName, live.Entries.Keys);
        var all = await health.CheckHealthAsync(r => r.Tags.Contains("botresilience"));
        Assert.Equal(live.Entries.Count + ready.Entries.Count - 1, all.Entries.Count);

        time.Advance(TimeSpan.FromSeconds(181)); // no webhook traffic for 181 s
        live = await health.CheckHealthAsync(r => r.Tags.Contains(BotResilienceHealthChecks.LiveTag));
        Assert.Equal(HealthStatus.Unhealthy, live.Entries[BotResilienceHealthChecks.WatchdogCheckName].Status);
    }

    [Fact]
    public void Registration_validates_eagerly_and_rejects_duplicate_worker_names()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddBotResilienceMonitoring(o => o.LagMonitor.Interval = TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddBotResilienceMonitoring(o => o.WatchdogSources["webhook"] = new() { SilenceLimit = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddSupervisedWorker<ProbeWork>("w", o => o.IterationTimeout = TimeSpan.FromSeconds(-5)));
        services.AddSupervisedWorker<ProbeWork>("w");
        Assert.Throws<ArgumentException>(() => services.AddSupervisedWorker<ProbeWork>("w"));
        services.AddBotResilienceMonitoring();
        var count = services.Count;
        services.AddBotResilienceMonitoring();
        Assert.Equal(count, services.Count); // idempotent
    }

    [Fact]
    public async Task Checks_without_registered_services_say_so()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddBotResilienceChecks();
        await using var sp = services.BuildServiceProvider();
        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.All(report.Entries.Values, e => Assert.Contains("registered", e.Description, StringComparison.Ordinal));
    }

    private sealed class ProbeWork : IPeriodicWork
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask ExecuteAsync(CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }
}
