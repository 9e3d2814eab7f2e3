namespace BotResilience.Pipelines;

/// <summary>
/// Per-execution data passed down the strategy chain by value: the token the inner strategies see and the earliest
/// deadline of the enclosing timeouts (so a retry inside an overall timeout can fail fast instead of sleeping past it).
/// </summary>
internal readonly struct PipelineExecution
{
    public const long NoDeadline = long.MaxValue;

    public PipelineExecution(CancellationToken token)
    {
        Token = token;
        Deadline = NoDeadline;
        DeadlineTimeout = TimeSpan.Zero;
    }

    public PipelineExecution(long deadline, TimeSpan deadlineTimeout, CancellationToken token)
    {
        Token = token;
        Deadline = deadline;
        DeadlineTimeout = deadlineTimeout;
    }

    /// <summary>The token the inner strategies and the callback observe.</summary>
    public CancellationToken Token { get; }

    /// <summary>Timestamp (of the pipeline's clock) of the earliest enclosing timeout, or <see cref="NoDeadline"/>.</summary>
    public long Deadline { get; }

    /// <summary>The configured timeout whose deadline is <see cref="Deadline"/>.</summary>
    public TimeSpan DeadlineTimeout { get; }

    public bool HasDeadline => Deadline != NoDeadline;

    public PipelineExecution WithToken(CancellationToken token) => new(Deadline, DeadlineTimeout, token);

    /// <summary>Time left until <see cref="Deadline"/> (zero when passed, <see cref="TimeSpan.MaxValue"/> without one).</summary>
    public TimeSpan RemainingTime(TimeProvider timeProvider)
    {
        if (!HasDeadline)
        {
            return TimeSpan.MaxValue;
        }

        var left = Deadline - timeProvider.GetTimestamp();
        if (left <= 0)
        {
            return TimeSpan.Zero;
        }

        var frequency = timeProvider.TimestampFrequency;
        return frequency == TimeSpan.TicksPerSecond
            ? TimeSpan.FromTicks(left)
            : TimeSpan.FromTicks((long)(left * ((double)TimeSpan.TicksPerSecond / frequency)));
    }
}
