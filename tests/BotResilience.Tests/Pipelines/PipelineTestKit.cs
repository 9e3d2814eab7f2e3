using BotResilience.RateLimiting;

namespace BotResilience.Tests.Pipelines;

/// <summary>A scripted limiter: grants while <see cref="Available"/> permits remain, otherwise refuses or queues.</summary>
internal sealed class FakeRateLimiter : IRateLimiter
{
    private readonly Queue<TaskCompletionSource<RateLimitDecision>> _waiters = new();

    public int Available { get; set; }

    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    public int Acquired { get; private set; }

    public int QueueLimit { get; set; } = int.MaxValue;

    public RateLimitDecision TryAcquire(int permits = 1)
    {
        if (Available >= permits)
        {
            Available -= permits;
            Acquired += permits;
            return RateLimitDecision.Granted;
        }

        return RateLimitDecision.Throttled(RetryAfter);
    }

    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default) =>
        new(TryAcquire(permits));

    public ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
    {
        var decision = TryAcquire(permits);
        if (decision.IsGranted)
        {
            return new(decision);
        }

        if (_waiters.Count >= QueueLimit)
        {
            return new(RateLimitDecision.QueueFull(RetryAfter));
        }

        var waiter = new TaskCompletionSource<RateLimitDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
        _waiters.Enqueue(waiter);
        return new(waiter.Task);
    }

    /// <summary>Grants one queued waiter.</summary>
    public void Release()
    {
        Acquired++;
        _waiters.Dequeue().TrySetResult(RateLimitDecision.Granted);
    }
}
