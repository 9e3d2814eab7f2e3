using System.Runtime.ExceptionServices;
using BotResilience.Pipelines;
using BotResilience.RateLimiting;
using BotResilience.Timeouts;

namespace BotResilience.Retry;

/// <summary>
/// Re-runs the inner strategies after failures: server-given flood waits exactly, other failures after the backoff.
/// Fails fast (<see cref="FloodWaitException"/> / <see cref="TimeoutRejectedException"/>) when the wait is above the
/// threshold or would end after an enclosing timeout's deadline.
/// </summary>
internal sealed class RetryComponent : PipelineComponent
{
    private readonly int _maxRetryAttempts;
    private readonly BackoffType _backoffType;
    private readonly TimeSpan _delay;
    private readonly TimeSpan _maxDelay;
    private readonly bool _useJitter;
    private readonly TimeSpan _floodWaitThreshold;
    private readonly Func<Exception, bool>? _shouldRetry;
    private readonly IFloodWaitClassifier[] _classifiers;
    private readonly IFloodGate? _gate;
    private readonly string? _gateScope;
    private readonly Func<RetryEventArgs, ValueTask>? _onRetry;
    private readonly TimeProvider _delayClock;
    private readonly TimeProvider _pipelineClock;
    private readonly Func<double> _random;
    private readonly PipelineComponent _next;

    public RetryComponent(RetryOptions options, TimeProvider pipelineClock, PipelineComponent next)
    {
        _maxRetryAttempts = options.MaxRetryAttempts;
        _backoffType = options.BackoffType;
        _delay = options.Delay;
        _maxDelay = options.MaxDelay;
        _useJitter = options.UseJitter;
        _floodWaitThreshold = options.FloodWaitThreshold;
        _shouldRetry = options.ShouldRetry;
        _classifiers = [.. options.FloodWaitClassifiers];
        _gate = options.FloodGate;
        _gateScope = options.FloodGateScope;
        _onRetry = options.OnRetry;
        _delayClock = options.TimeProvider ?? pipelineClock;
        _pipelineClock = pipelineClock;
        _random = options.RandomSource ?? Random.Shared.NextDouble;
        _next = next;
    }

    public override bool UsesDeadline => true;

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        var pending = _next.ExecuteAsync(callback, state, execution);
        return pending.IsCompletedSuccessfully ? pending : ExecuteSlowAsync(pending, callback, state, execution);
    }

    private async ValueTask<TResult> ExecuteSlowAsync<TResult, TState>(
        ValueTask<TResult> pending, Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        var token = execution.Token;
        var retries = 0;
        var previousTicks = 0d;
        while (true)
        {
            Exception failure;
            try
            {
                return await pending.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every failure is inspected; unhandled ones are rethrown unchanged below.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failure = exception;
            }

            if (failure is OperationCanceledException && token.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            TimeSpan delay;
            string? waitScope = _gateScope;
            var floodWait = Classify(failure);
            if (floodWait is { } wait)
            {
                var retryAfter = wait.RetryAfter < TimeSpan.Zero ? TimeSpan.Zero : wait.RetryAfter;
                waitScope = wait.Scope ?? _gateScope;
                if (_gate is not null && waitScope is not null)
                {
                    // Every other caller of the scope learns of the wait, whatever this caller does next.
                    await _gate.PauseAsync(waitScope, retryAfter, token).ConfigureAwait(false);
                }

                if (retryAfter > _floodWaitThreshold)
                {
                    RetryMetrics.RecordFloodWait(waitScope, retryAfter, failedFast: true);
                    throw AsFloodWaitException(failure, retryAfter, waitScope);
                }

                if (retries >= _maxRetryAttempts)
                {
                    ExceptionDispatchInfo.Throw(failure);
                }

                if (execution.HasDeadline && retryAfter >= execution.RemainingTime(_pipelineClock))
                {
                    RetryMetrics.RecordFloodWait(waitScope, retryAfter, failedFast: true);
                    throw AsFloodWaitException(failure, retryAfter, waitScope);
                }

                RetryMetrics.RecordFloodWait(waitScope, retryAfter, failedFast: false);
                delay = retryAfter; // exactly the server-given wait: never earlier, not lengthened by the backoff
                floodWait = new FloodWait(retryAfter, waitScope);
            }
            else
            {
                if (retries >= _maxRetryAttempts || !(_shouldRetry?.Invoke(failure) ?? true))
                {
                    ExceptionDispatchInfo.Throw(failure);
                }

                delay = Backoff.Compute(_backoffType, retries, _delay, _maxDelay, _useJitter, _random, ref previousTicks);
                if (failure is RateLimitRejectedException rejected && rejected.RetryAfter > delay)
                {
                    delay = rejected.RetryAfter;
                }

                if (execution.HasDeadline && delay >= execution.RemainingTime(_pipelineClock))
                {
                    TimeoutMetrics.RecordTimeout(deadline: true);
                    throw new TimeoutRejectedException(execution.DeadlineTimeout, failure);
                }
            }

            retries++;
            RetryMetrics.RecordRetry(floodWait.HasValue);
            if (_onRetry is not null)
            {
                await _onRetry(new RetryEventArgs(retries, delay, failure, floodWait)).ConfigureAwait(false);
            }

            await PreciseDelay.WaitAsync(_delayClock, delay, token).ConfigureAwait(false);

            if (_gate is not null && waitScope is not null)
            {
                await WaitForGateAsync(waitScope, failure, execution).ConfigureAwait(false);
            }

            pending = _next.ExecuteAsync(callback, state, execution);
        }
    }

    private async ValueTask WaitForGateAsync(string scope, Exception failure, PipelineExecution execution)
    {
        var remaining = await _gate!.GetRemainingPauseAsync(scope, execution.Token).ConfigureAwait(false);
        if (remaining == TimeSpan.Zero)
        {
            return;
        }

        if (remaining > _floodWaitThreshold || (execution.HasDeadline && remaining >= execution.RemainingTime(_pipelineClock)))
        {
            RetryMetrics.RecordFloodWait(scope, remaining, failedFast: true);
            throw new FloodWaitException(remaining, scope, failure);
        }

        await _gate.WaitAsync(scope, execution.Token).ConfigureAwait(false);
    }

    private FloodWait? Classify(Exception failure)
    {
        foreach (var classifier in _classifiers)
        {
            if (classifier.TryClassify(failure, out var floodWait))
            {
                return floodWait;
            }
        }

        return failure is FloodWaitException own ? new FloodWait(own.RetryAfter, own.Scope) : null;
    }

    private static FloodWaitException AsFloodWaitException(Exception failure, TimeSpan retryAfter, string? scope) =>
        failure is FloodWaitException own && own.RetryAfter == retryAfter && own.Scope == scope
            ? own
            : new FloodWaitException(retryAfter, scope, failure);
}
