namespace BotResilience.RateLimiting;

/// <summary>One queued <c>AcquireAsync</c> call: a node of the FIFO list of its <see cref="LimiterCore"/>.</summary>
internal sealed class LimiterWaiter : TaskCompletionSource<RateLimitDecision>
{
    public LimiterWaiter(LimiterCore core, int permits, long enqueuedAt)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Core = core;
        Permits = permits;
        EnqueuedAt = enqueuedAt;
    }

    public LimiterCore Core { get; }

    public int Permits { get; }

    public long EnqueuedAt { get; }

    public LimiterWaiter? Previous { get; set; }

    public LimiterWaiter? Next { get; set; }

    /// <summary>Next waiter in a chain of waiters to complete outside the lock.</summary>
    public LimiterWaiter? NextDone { get; set; }

    public bool Queued { get; set; }

    public CancellationTokenRegistration Registration { get; set; }
}
