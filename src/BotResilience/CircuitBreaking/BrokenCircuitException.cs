namespace BotResilience.CircuitBreaking;

/// <summary>
/// Thrown when a <see cref="CircuitBreaker"/> rejects a call because it is open, isolated, or half-open with all
/// probes in use. A fallback can catch it and serve degraded data (cached values, "try later" replies).
/// </summary>
public sealed class BrokenCircuitException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public BrokenCircuitException()
        : this("The circuit is open: the call was rejected.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public BrokenCircuitException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public BrokenCircuitException(string message, Exception? innerException)
        : base(message, innerException)
    {
        CircuitName = string.Empty;
        State = CircuitState.Open;
        RetryAfter = TimeSpan.Zero;
    }

    /// <summary>Creates the exception describing a rejection by the breaker <paramref name="circuitName"/>.</summary>
    /// <param name="circuitName">The name of the breaker that rejected the call.</param>
    /// <param name="state">The state of the breaker when it rejected the call.</param>
    /// <param name="retryAfter">
    /// Time until the breaker admits the next probe; <see cref="Timeout.InfiniteTimeSpan"/> when the breaker is
    /// <see cref="CircuitState.Isolated"/> (only <see cref="CircuitBreaker.Reset"/> closes it).
    /// </param>
    public BrokenCircuitException(string circuitName, CircuitState state, TimeSpan retryAfter)
        : base(FormatMessage(circuitName, state, retryAfter))
    {
        CircuitName = circuitName;
        State = state;
        RetryAfter = retryAfter;
    }

    /// <summary>The name of the breaker that rejected the call.</summary>
    public string CircuitName { get; }

    /// <summary>
    /// Time until the breaker admits the next probe call. <see cref="Timeout.InfiniteTimeSpan"/> (−1 ms) when the
    /// breaker is <see cref="CircuitState.Isolated"/>: only <see cref="CircuitBreaker.Reset"/> closes it.
    /// </summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>The state of the breaker when it rejected the call (<see cref="CircuitState.Open"/>, <see cref="CircuitState.HalfOpen"/> or <see cref="CircuitState.Isolated"/>).</summary>
    public CircuitState State { get; }

    private static string FormatMessage(string circuitName, CircuitState state, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(circuitName);
        return state == CircuitState.Isolated || retryAfter == Timeout.InfiniteTimeSpan
            ? $"The circuit '{circuitName}' is isolated: calls are rejected until it is reset."
            : $"The circuit '{circuitName}' is {(state == CircuitState.HalfOpen ? "half-open with all probes in use" : "open")}: retry after {retryAfter.TotalSeconds:0.###} s.";
    }
}
