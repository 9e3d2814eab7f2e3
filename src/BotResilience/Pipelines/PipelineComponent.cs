namespace BotResilience.Pipelines;

/// <summary>
/// One strategy of a built pipeline, linked to the next (inner) one. Implementations never throw synchronously:
/// failures are returned as faulted <see cref="ValueTask{TResult}"/>s, so every strategy can take the synchronous
/// fast path (<see cref="ValueTask{TResult}.IsCompletedSuccessfully"/>) without a try block around the inner call.
/// </summary>
internal abstract class PipelineComponent
{
    /// <summary>Whether this strategy or one inside it reads <see cref="PipelineExecution.Deadline"/>.</summary>
    public virtual bool UsesDeadline => false;

    public abstract ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution);
}
