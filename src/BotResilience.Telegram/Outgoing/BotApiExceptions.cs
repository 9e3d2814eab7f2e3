using System.Net;

namespace BotResilience.Telegram;

/// <summary>
/// Thrown by <see cref="BotApiResilienceHandler"/> instead of sending while the bot's circuit is open (the Bot API
/// kept failing with 5xx or network errors). It is an <see cref="HttpRequestException"/> with status 503, so Bot API
/// clients treat it as the network error it stands for.
/// </summary>
public sealed class BotApiCircuitOpenException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="retryAfter">Time until the circuit lets a probe through.</param>
    public BotApiCircuitOpenException(TimeSpan retryAfter)
        : base($"The Bot API circuit is open after repeated failures; retry after {retryAfter.TotalSeconds:0.###} s.", null, HttpStatusCode.ServiceUnavailable)
        => RetryAfter = retryAfter;

    /// <summary>Creates the exception.</summary>
    public BotApiCircuitOpenException()
        : this(TimeSpan.Zero)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public BotApiCircuitOpenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BotApiCircuitOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Time until the circuit lets a probe request through.</summary>
    public TimeSpan RetryAfter { get; }
}

/// <summary>Thrown when a sending request finds the bot's scheduler queue full (<see cref="BotApiResilienceOptions.QueueLimit"/>).</summary>
public sealed class BotApiQueueFullException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="queueLimit">The limit that was reached.</param>
    public BotApiQueueFullException(int queueLimit)
        : base($"The Bot API send queue is full ({queueLimit} waiting requests).", null, HttpStatusCode.TooManyRequests)
        => QueueLimit = queueLimit;

    /// <summary>Creates the exception.</summary>
    public BotApiQueueFullException()
        : this(0)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public BotApiQueueFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BotApiQueueFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The limit that was reached.</summary>
    public int QueueLimit { get; }
}
