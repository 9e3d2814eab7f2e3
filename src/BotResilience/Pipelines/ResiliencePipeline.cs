namespace BotResilience.Pipelines;

/// <summary>
/// A built, thread-safe chain of strategies (see <see cref="ResiliencePipelineBuilder"/>). Pass state explicitly and use
/// <see langword="static"/> lambdas: when the callback completes synchronously and every strategy lets it through,
/// an execution allocates nothing.
/// </summary>
public sealed class ResiliencePipeline
{
    private readonly PipelineComponent _head;

    internal ResiliencePipeline(PipelineComponent head)
    {
        _head = head;
    }

    /// <summary>A pipeline without strategies: runs the callback as is.</summary>
    public static ResiliencePipeline Empty { get; } = new(CallbackComponent.Instance);

    /// <summary>Executes <paramref name="callback"/> through the strategies.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type (use a value tuple to pass several values without allocating).</typeparam>
    /// <param name="callback">The operation; it should observe the token it receives (timeouts cancel it).</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    public ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _head.ExecuteAsync(callback, state, new PipelineExecution(cancellationToken));
    }

    /// <summary>Executes <paramref name="callback"/> through the strategies.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The operation; it should observe the token it receives (timeouts cancel it).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _head.ExecuteAsync(static (cb, token) => cb(token), callback, new PipelineExecution(cancellationToken));
    }

    /// <summary>Executes <paramref name="callback"/> (without a result) through the strategies.</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The operation; it should observe the token it receives (timeouts cancel it).</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>A task that completes when the operation succeeded.</returns>
    /// <remarks>Typed fallbacks (<see cref="ResiliencePipelineBuilder.AddFallback{TResult}"/>) do not apply here.</remarks>
    public ValueTask ExecuteAsync<TState>(Func<TState, CancellationToken, ValueTask> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var pending = _head.ExecuteAsync(
            static (s, token) => ToVoidResult(s.Callback(s.State, token)), (Callback: callback, State: state), new PipelineExecution(cancellationToken));
        if (pending.IsCompletedSuccessfully)
        {
            _ = pending.Result;
            return default;
        }

        return AwaitVoidAsync(pending);
    }

    /// <summary>
    /// Executes a synchronous <paramref name="callback"/> through the strategies. Waits (retry delays, rate limiter
    /// queues, paused gates) block the calling thread.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The operation; it should observe the token it receives (timeouts cancel it).</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    public TResult Execute<TResult, TState>(Func<TState, CancellationToken, TResult> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var pending = _head.ExecuteAsync(
            static (s, token) => new ValueTask<TResult>(s.Callback(s.State, token)), (Callback: callback, State: state), new PipelineExecution(cancellationToken));
        return pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
    }

    private static ValueTask<VoidResult> ToVoidResult(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return default;
        }

        return AwaitToVoidResultAsync(pending);
    }

    private static async ValueTask<VoidResult> AwaitToVoidResultAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return default;
    }

    private static async ValueTask AwaitVoidAsync(ValueTask<VoidResult> pending) => await pending.ConfigureAwait(false);

    private readonly struct VoidResult;
}
