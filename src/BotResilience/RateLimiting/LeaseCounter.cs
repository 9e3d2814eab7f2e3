using System.Threading.RateLimiting;

namespace BotResilience.RateLimiting;

/// <summary>
/// Turns decisions into System.Threading.RateLimiting leases and counts them for <c>GetStatistics</c>; shared by
/// <see cref="RateLimiterAdapter"/> and the partitioned adapter.
/// </summary>
internal sealed class LeaseCounter
{
    private long _successful;
    private long _failed;

    public long Successful => Interlocked.Read(ref _successful);

    public long Failed => Interlocked.Read(ref _failed);

    public RateLimitLease Count(RateLimitDecision decision)
    {
        if (decision.IsGranted)
        {
            Interlocked.Increment(ref _successful);
            return RateLimitDecisionLease.Acquired;
        }

        Interlocked.Increment(ref _failed);
        return RateLimitDecisionLease.From(decision);
    }

    /// <summary>The lease of a pending acquisition, without an async state machine when it already completed.</summary>
    public ValueTask<RateLimitLease> Count(ValueTask<RateLimitDecision> pending)
        => pending.IsCompletedSuccessfully ? new ValueTask<RateLimitLease>(Count(pending.Result)) : AwaitLease(pending);

    private async ValueTask<RateLimitLease> AwaitLease(ValueTask<RateLimitDecision> pending)
        => Count(await pending.ConfigureAwait(false));
}
