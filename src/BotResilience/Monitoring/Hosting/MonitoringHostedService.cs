using Microsoft.Extensions.Hosting;

namespace BotResilience.Monitoring;

/// <summary>Starts the registered <see cref="ThreadPoolLagMonitor"/> and <see cref="Watchdog"/> with the host and stops them with it.</summary>
internal sealed class MonitoringHostedService(ThreadPoolLagMonitor? monitor, Watchdog? watchdog, UnobservedTaskExceptionCounter? counter) : IHostedService
{
    /// <summary>Keeps the counter alive (resolved so it subscribes at start).</summary>
    public UnobservedTaskExceptionCounter? Counter { get; } = counter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        monitor?.Start();
        watchdog?.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        watchdog?.Stop();
        monitor?.Stop();
        return Task.CompletedTask;
    }
}
