namespace BotResilience.Monitoring;

/// <summary>Describes the END of a <see cref="SupervisedWorker"/> iteration; raised for every started iteration, whatever its outcome.</summary>
public sealed class WorkerIterationCompletedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="workerName">The worker's name.</param>
    /// <param name="iteration">The iteration number, from 1.</param>
    /// <param name="outcome">How the iteration ended.</param>
    /// <param name="exception">The exception for <see cref="WorkerIterationOutcome.Failed"/> and <see cref="WorkerIterationOutcome.TimedOut"/>, if any.</param>
    /// <param name="duration">How long the iteration ran.</param>
    /// <param name="consecutiveFailures">Consecutive failed or timed-out iterations, including this one.</param>
    /// <param name="nextDelay">The wait before the next iteration, or <see langword="null"/> when the worker is stopping.</param>
    public WorkerIterationCompletedEventArgs(string workerName, long iteration, WorkerIterationOutcome outcome, Exception? exception, TimeSpan duration, int consecutiveFailures, TimeSpan? nextDelay)
    {
        WorkerName = workerName;
        Iteration = iteration;
        Outcome = outcome;
        Exception = exception;
        Duration = duration;
        ConsecutiveFailures = consecutiveFailures;
        NextDelay = nextDelay;
    }

    /// <summary>Gets the worker's name.</summary>
    public string WorkerName { get; }

    /// <summary>Gets the iteration number, from 1.</summary>
    public long Iteration { get; }

    /// <summary>Gets how the iteration ended.</summary>
    public WorkerIterationOutcome Outcome { get; }

    /// <summary>Gets the exception for failed and timed-out iterations (null when a timed-out iteration returned normally).</summary>
    public Exception? Exception { get; }

    /// <summary>Gets how long the iteration ran.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Gets the consecutive failed or timed-out iterations, including this one (0 after a success).</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>Gets the wait before the next iteration, or <see langword="null"/> when the worker is stopping.</summary>
    public TimeSpan? NextDelay { get; }
}
