namespace BotResilience.Monitoring;

/// <summary>One iteration of periodic background work run by a <see cref="SupervisedWorker"/>.</summary>
public interface IPeriodicWork
{
    /// <summary>Runs one iteration.</summary>
    /// <param name="cancellationToken">Cancelled when the iteration times out or the worker stops; honour it.</param>
    /// <returns>A task that completes when the iteration is done.</returns>
    ValueTask ExecuteAsync(CancellationToken cancellationToken);
}
