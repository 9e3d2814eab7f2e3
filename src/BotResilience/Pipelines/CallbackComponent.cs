namespace BotResilience.Pipelines;

/// <summary>The innermost link: invokes the user's callback, turning a synchronous throw into a faulted task.</summary>
internal sealed class CallbackComponent : PipelineComponent
{
    public static readonly CallbackComponent Instance = new();

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        try
        {
            return callback(state, execution.Token);
        }
#pragma warning disable CA1031 // The failure is handed to the outer strategies as a faulted task.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<TResult>(exception);
        }
    }
}
