using Microsoft.Extensions.Hosting;

namespace BotResilience.Monitoring;

/// <summary>Runs a <see cref="SupervisedWorker"/> as a generic-host <see cref="BackgroundService"/>.</summary>
public sealed class SupervisedWorkerBackgroundService : BackgroundService
{
    /// <summary>Creates the adapter.</summary>
    /// <param name="worker">The worker to run while the host runs.</param>
    public SupervisedWorkerBackgroundService(SupervisedWorker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        Worker = worker;
    }

    /// <summary>Gets the adapted worker.</summary>
    public SupervisedWorker Worker { get; }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Worker.RunAsync(stoppingToken);
}
