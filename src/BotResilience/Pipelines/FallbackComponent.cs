using System.Runtime.CompilerServices;

namespace BotResilience.Pipelines;

/// <summary>
/// Replaces matching failures of the inner strategies with a fallback result. Applies only to executions whose
/// result type is <typeparamref name="TFallback"/>; executions with another result type pass through untouched.
/// </summary>
internal sealed class FallbackComponent<TFallback>(
    Func<Exception, CancellationToken, ValueTask<TFallback>> fallback, Func<Exception, bool>? shouldHandle, PipelineComponent next)
    : PipelineComponent
{
    public override bool UsesDeadline => next.UsesDeadline;

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        var pending = next.ExecuteAsync(callback, state, execution);
        if (typeof(TResult) != typeof(TFallback) || pending.IsCompletedSuccessfully)
        {
            return pending;
        }

        return ExecuteSlowAsync(pending, execution.Token);
    }

    private async ValueTask<TResult> ExecuteSlowAsync<TResult>(ValueTask<TResult> pending, CancellationToken token)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception exception) when (Handles(exception, token))
        {
            PipelineMetrics.RecordFallback();
            var result = await fallback(exception, token).ConfigureAwait(false);
            return Unsafe.As<TFallback, TResult>(ref result);
        }
    }

    private bool Handles(Exception exception, CancellationToken token) =>
        !(exception is OperationCanceledException && token.IsCancellationRequested) && (shouldHandle?.Invoke(exception) ?? true);
}
