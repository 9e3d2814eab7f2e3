namespace BotResilience.Timeouts;

/// <summary>
/// Thrown when a pipeline timeout (<see cref="Pipelines.ResiliencePipelineBuilder.AddTimeout(TimeSpan)"/>) elapsed
/// before the operation finished, or when a retry gave up early because its next delay would end after that timeout.
/// The caller's own cancellation is never reported this way: it propagates as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class TimeoutRejectedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public TimeoutRejectedException()
        : this(TimeSpan.Zero, null)
    {
    }

    /// <summary>Creates the exception with a custom message.</summary>
    /// <param name="message">The message.</param>
    public TimeoutRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a custom message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TimeoutRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an elapsed <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The timeout that elapsed.</param>
    /// <param name="innerException">The cancellation the operation observed, or the failure a retry gave up on.</param>
    public TimeoutRejectedException(TimeSpan timeout, Exception? innerException = null)
        : base($"The operation did not complete within the timeout of {timeout.TotalSeconds:0.###} s.", innerException)
    {
        Timeout = timeout;
    }

    /// <summary>The timeout that elapsed (or would have elapsed before the next retry).</summary>
    public TimeSpan Timeout { get; }
}
