using BotResilience.Concurrency;

namespace BotResilience.Pipelines;

/// <summary>
/// Runs the inner strategies inside a <see cref="PriorityBulkhead"/> slot (waiting by priority; a full queue throws
/// <see cref="BulkheadRejectedException"/>) and releases the slot when they finish.
/// </summary>
internal sealed class BulkheadComponent(PriorityBulkhead bulkhead, int priority, PipelineComponent next) : PipelineComponent
{
    public override bool UsesDeadline => next.UsesDeadline;

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        ValueTask<BulkheadLease> acquiring;
        try
        {
            acquiring = bulkhead.AcquireAsync(priority, execution.Token);
        }
#pragma warning disable CA1031 // Returned as a faulted task (strategies never throw synchronously).
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<TResult>(exception);
        }

        if (!acquiring.IsCompletedSuccessfully)
        {
            return AcquireThenExecuteAsync(acquiring, callback, state, execution);
        }

        var lease = acquiring.Result;
        var pending = next.ExecuteAsync(callback, state, execution);
        if (pending.IsCompleted)
        {
            lease.Dispose();
            return pending;
        }

        return ReleaseAfterAsync(pending, lease);
    }

    private async ValueTask<TResult> AcquireThenExecuteAsync<TResult, TState>(
        ValueTask<BulkheadLease> acquiring, Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        using var lease = await acquiring.ConfigureAwait(false);
        return await next.ExecuteAsync(callback, state, execution).ConfigureAwait(false);
    }

    private static async ValueTask<TResult> ReleaseAfterAsync<TResult>(ValueTask<TResult> pending, BulkheadLease lease)
    {
        using (lease)
        {
            return await pending.ConfigureAwait(false);
        }
    }
}
