using BotResilience.CircuitBreaking;

namespace BotResilience.Pipelines;

/// <summary>
/// Admits executions through a <see cref="CircuitBreaker"/>: rejected ones fail with <see cref="BrokenCircuitException"/>
/// without running; admitted ones report their outcome (<see cref="CircuitBreaker.RecordException"/> applies
/// <see cref="CircuitBreaker.IsFailure(Exception)"/>; the caller's cancellation counts as no verdict).
/// </summary>
internal sealed class CircuitBreakerComponent(CircuitBreaker breaker, PipelineComponent next) : PipelineComponent
{
    public override bool UsesDeadline => next.UsesDeadline;

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        if (!breaker.TryEnter(out var retryAfter))
        {
            return ValueTask.FromException<TResult>(new BrokenCircuitException(breaker.Name, breaker.State, retryAfter));
        }

        var pending = next.ExecuteAsync(callback, state, execution);
        if (pending.IsCompletedSuccessfully)
        {
            breaker.RecordSuccess();
            return pending;
        }

        return ExecuteSlowAsync(pending, execution.Token);
    }

    private async ValueTask<TResult> ExecuteSlowAsync<TResult>(ValueTask<TResult> pending, CancellationToken token)
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            breaker.RecordException(exception, token);
            throw;
        }

        breaker.RecordSuccess();
        return result;
    }
}
