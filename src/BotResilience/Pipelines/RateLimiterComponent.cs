using BotResilience.RateLimiting;

namespace BotResilience.Pipelines;

/// <summary>Acquires one permit before the inner strategies run; waits (FIFO) or rejects.</summary>
internal sealed class RateLimiterComponent(IRateLimiter limiter, bool wait, PipelineComponent next) : PipelineComponent
{
    public override bool UsesDeadline => next.UsesDeadline;

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        ValueTask<RateLimitDecision> pending;
        try
        {
            pending = wait
                ? limiter.AcquireAsync(1, execution.Token)
                : new ValueTask<RateLimitDecision>(limiter.TryAcquire(1));
        }
#pragma warning disable CA1031 // Returned as a faulted task (strategies never throw synchronously).
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<TResult>(exception);
        }

        if (pending.IsCompletedSuccessfully)
        {
            var decision = pending.Result;
            return decision.IsGranted ? next.ExecuteAsync(callback, state, execution) : ValueTask.FromException<TResult>(Reject(decision));
        }

        return ExecuteSlowAsync(pending, callback, state, execution);
    }

    private async ValueTask<TResult> ExecuteSlowAsync<TResult, TState>(
        ValueTask<RateLimitDecision> pending, Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        var decision = await pending.ConfigureAwait(false);
        if (!decision.IsGranted)
        {
            throw Reject(decision);
        }

        return await next.ExecuteAsync(callback, state, execution).ConfigureAwait(false);
    }

    private static RateLimitRejectedException Reject(RateLimitDecision decision)
    {
        PipelineMetrics.RecordRejection(PipelineMetrics.RateLimiterStrategy);
        return new RateLimitRejectedException(decision.RetryAfter, decision.Outcome);
    }
}
