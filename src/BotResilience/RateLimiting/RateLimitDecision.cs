namespace BotResilience.RateLimiting;

/// <summary>
/// The answer of a rate limiter to one acquisition: granted, or refused with the exact time after which
/// the same request would be granted if nothing else changed.
/// </summary>
/// <remarks>A value type: returning it allocates nothing.</remarks>
public readonly record struct RateLimitDecision
{
    private RateLimitDecision(RateLimitOutcome outcome, TimeSpan retryAfter)
    {
        Outcome = outcome;
        RetryAfter = retryAfter;
    }

    /// <summary>A granted decision.</summary>
    public static RateLimitDecision Granted => new(RateLimitOutcome.Granted, TimeSpan.Zero);

    /// <summary>What happened to the request.</summary>
    public RateLimitOutcome Outcome { get; }

    /// <summary><see langword="true"/> when the permits were granted (and consumed).</summary>
    public bool IsGranted => Outcome == RateLimitOutcome.Granted;

    /// <summary>
    /// When refused: the time after which the same request would be granted, assuming no other caller
    /// acquires in between. <see cref="TimeSpan.Zero"/> when granted.
    /// </summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>Creates a refusal because the limit is reached.</summary>
    /// <param name="retryAfter">Time after which the same request would be granted; must not be negative.</param>
    public static RateLimitDecision Throttled(TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        return new(RateLimitOutcome.Throttled, retryAfter);
    }

    /// <summary>Creates a refusal because the wait queue is full.</summary>
    /// <param name="retryAfter">Best estimate of when the request would be granted; must not be negative.</param>
    public static RateLimitDecision QueueFull(TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        return new(RateLimitOutcome.QueueFull, retryAfter);
    }
}
