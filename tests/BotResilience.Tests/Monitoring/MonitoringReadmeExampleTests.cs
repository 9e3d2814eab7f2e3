using BotResilience.Monitoring;
using BotResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BotResilience.Tests.Monitoring;

/// <summary>Keeps the usage example of README.md compiling and working.</summary>
public sealed class MonitoringReadmeExampleTests
{
    [Fact]
    public async Task Readme_example_runs()
    {
        var time = new ManualTimeProvider(); // the README uses the system clock; fake time keeps TerminateProcess from firing here
        string[] args = [];

        // --- README example (README.md) ---
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddBotResilienceMonitoring(o =>
        {
            o.LagMonitor.WarningThreshold = TimeSpan.FromMilliseconds(500); // warn when the thread pool is 0.5 s late
            o.Watchdog.GracePeriod = TimeSpan.FromSeconds(60);
            o.Watchdog.Action = WatchdogAction.TerminateProcess;            // a hung bot exits; systemd/docker restarts it
            o.WatchdogSources["webhook"] = new() { SilenceLimit = TimeSpan.FromSeconds(180) };
        });
        builder.Services.AddSupervisedWorker<ReminderWork>("reminders", o =>
        {
            o.Interval = TimeSpan.FromSeconds(30);
            o.IterationTimeout = TimeSpan.FromSeconds(120); // END(TimedOut) instead of a silent hang
        });
        builder.Services.AddHealthChecks().AddBotResilienceChecks(); // tags "live" and "ready"
        // --- end of README example ---

        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        using var host = builder.Build();
        await host.StartAsync();

        // --- README example, in the webhook handler: first line, before the secret check (seed 004) ---
        var watchdog = host.Services.GetRequiredService<Watchdog>();
        watchdog.Beat("webhook");
        // --- end ---

        var worker = host.Services.GetRequiredKeyedService<SupervisedWorker>("reminders");
        var ended = new TaskCompletionSource<WorkerIterationCompletedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.IterationCompleted += (_, e) => ended.TrySetResult(e);
        if (worker.LastOutcome is null)
        {
            Assert.Equal(WorkerIterationOutcome.Succeeded, (await ended.Task.WaitAsync(TimeSpan.FromSeconds(10))).Outcome);
        }

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("live"));
        Assert.Equal(HealthStatus.Healthy, report.Entries[BotResilienceHealthChecks.WatchdogCheckName].Status);
        Assert.Equal(LivenessState.Healthy, watchdog.GetStatus().Sources.Single(s => s.Name == "webhook").State);
        await host.StopAsync();
    }

    // --- README example ---
    public sealed class ReminderWork : IPeriodicWork
    {
        public async ValueTask ExecuteAsync(CancellationToken cancellationToken)
        {
            // send due reminders; honour the token (timeout or shutdown)
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
    // --- end ---
}
