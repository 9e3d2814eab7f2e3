namespace BotResilience.Monitoring;

/// <summary>How a <see cref="SupervisedWorker"/> iteration ended.</summary>
public enum WorkerIterationOutcome
{
    /// <summary>The iteration returned normally.</summary>
    Succeeded,

    /// <summary>The iteration threw; see <see cref="WorkerIterationCompletedEventArgs.Exception"/>.</summary>
    Failed,

    /// <summary>The iteration exceeded <see cref="PeriodicWorkerOptions.IterationTimeout"/> and ended after its token was cancelled.</summary>
    TimedOut,

    /// <summary>The worker was stopping and the iteration ended with <see cref="OperationCanceledException"/>.</summary>
    Cancelled,
}
