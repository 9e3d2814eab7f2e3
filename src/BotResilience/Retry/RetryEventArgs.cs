namespace BotResilience.Retry;

/// <summary>Describes a retry about to be made, passed to <see cref="RetryOptions.OnRetry"/> before the delay starts.</summary>
public sealed class RetryEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="attemptNumber">The number of the retry about to be made (1 for the first retry).</param>
    /// <param name="delay">How long the strategy waits before the retry (excluding any extra flood-gate wait).</param>
    /// <param name="exception">The failure that caused the retry.</param>
    /// <param name="floodWait">The server-given wait, when the failure was classified as a flood wait.</param>
    public RetryEventArgs(int attemptNumber, TimeSpan delay, Exception exception, FloodWait? floodWait)
    {
        ArgumentNullException.ThrowIfNull(exception);
        AttemptNumber = attemptNumber;
        Delay = delay;
        Exception = exception;
        FloodWait = floodWait;
    }

    /// <summary>The number of the retry about to be made (1 for the first retry).</summary>
    public int AttemptNumber { get; }

    /// <summary>How long the strategy waits before the retry (a flood wait: exactly the server-given wait).</summary>
    public TimeSpan Delay { get; }

    /// <summary>The failure that caused the retry.</summary>
    public Exception Exception { get; }

    /// <summary><see langword="true"/> when the failure was a server-given flood wait.</summary>
    public bool IsFloodWait => FloodWait.HasValue;

    /// <summary>The server-given wait, when the failure was classified as a flood wait.</summary>
    public FloodWait? FloodWait { get; }
}
