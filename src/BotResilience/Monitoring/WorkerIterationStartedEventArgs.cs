namespace BotResilience.Monitoring;

/// <summary>Describes the START of a <see cref="SupervisedWorker"/> iteration.</summary>
public sealed class WorkerIterationStartedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="workerName">The worker's name.</param>
    /// <param name="iteration">The iteration number, from 1.</param>
    /// <param name="startedAt">When the iteration started (UTC).</param>
    public WorkerIterationStartedEventArgs(string workerName, long iteration, DateTimeOffset startedAt)
    {
        WorkerName = workerName;
        Iteration = iteration;
        StartedAt = startedAt;
    }

    /// <summary>Gets the worker's name.</summary>
    public string WorkerName { get; }

    /// <summary>Gets the iteration number, from 1.</summary>
    public long Iteration { get; }

    /// <summary>Gets when the iteration started (UTC).</summary>
    public DateTimeOffset StartedAt { get; }
}
