namespace BotResilience.RateLimiting;

/// <summary>
/// Thrown by a pipeline's rate limiter (<see cref="Pipelines.ResiliencePipelineBuilder.AddRateLimiter(IRateLimiter, bool)"/>)
/// when no permit was granted: the limit is reached (reject mode) or the wait queue is full.
/// </summary>
public sealed class RateLimitRejectedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public RateLimitRejectedException()
        : this(TimeSpan.Zero)
    {
    }

    /// <summary>Creates the exception with a custom message.</summary>
    /// <param name="message">The message.</param>
    public RateLimitRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a custom message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RateLimitRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refusal.</summary>
    /// <param name="retryAfter">The time after which the same request would be granted.</param>
    /// <param name="outcome">Why the request was refused.</param>
    public RateLimitRejectedException(TimeSpan retryAfter, RateLimitOutcome outcome = RateLimitOutcome.Throttled)
        : base(outcome == RateLimitOutcome.QueueFull
            ? $"Rate limit wait queue is full; retry after {retryAfter.TotalSeconds:0.###} s."
            : $"Rate limit reached; retry after {retryAfter.TotalSeconds:0.###} s.")
    {
        RetryAfter = retryAfter;
        Outcome = outcome;
    }

    /// <summary>The time after which the same request would be granted (an estimate when the queue was full).</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>Why the request was refused: <see cref="RateLimitOutcome.Throttled"/> or <see cref="RateLimitOutcome.QueueFull"/>.</summary>
    public RateLimitOutcome Outcome { get; }
}
