using BotResilience.Retry;

namespace BotResilience.Pipelines;

/// <summary>Holds the execution while the gate's scope is paused; fails fast when the pause outlasts the deadline.</summary>
internal sealed class FloodGateComponent(IFloodGate gate, string scope, TimeProvider timeProvider, PipelineComponent next) : PipelineComponent
{
    private readonly FloodGate? _inMemoryGate = gate as FloodGate;

    public override bool UsesDeadline => true;

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        if (_inMemoryGate is not null)
        {
            var remaining = _inMemoryGate.GetRemainingPause(scope);
            return remaining == TimeSpan.Zero
                ? next.ExecuteAsync(callback, state, execution)
                : WaitThenExecuteAsync(remaining, callback, state, execution);
        }

        ValueTask<TimeSpan> pending;
        try
        {
            pending = gate.GetRemainingPauseAsync(scope, execution.Token);
        }
#pragma warning disable CA1031 // Returned as a faulted task (strategies never throw synchronously).
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<TResult>(exception);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitRemainingThenExecuteAsync(pending, callback, state, execution);
        }

        var known = pending.Result;
        return known == TimeSpan.Zero
            ? next.ExecuteAsync(callback, state, execution)
            : WaitThenExecuteAsync(known, callback, state, execution);
    }

    private async ValueTask<TResult> AwaitRemainingThenExecuteAsync<TResult, TState>(
        ValueTask<TimeSpan> pending, Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        var remaining = await pending.ConfigureAwait(false);
        return await WaitThenExecuteAsync(remaining, callback, state, execution).ConfigureAwait(false);
    }

    private async ValueTask<TResult> WaitThenExecuteAsync<TResult, TState>(
        TimeSpan remaining, Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        if (remaining > TimeSpan.Zero)
        {
            if (execution.HasDeadline && remaining >= execution.RemainingTime(timeProvider))
            {
                PipelineMetrics.RecordRejection(PipelineMetrics.FloodGateStrategy);
                throw new FloodWaitException(remaining, scope);
            }

            await gate.WaitAsync(scope, execution.Token).ConfigureAwait(false);
        }

        return await next.ExecuteAsync(callback, state, execution).ConfigureAwait(false);
    }
}
