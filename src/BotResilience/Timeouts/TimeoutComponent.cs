using BotResilience.Pipelines;

namespace BotResilience.Timeouts;

/// <summary>
/// Cancels the inner strategies after a timeout (cooperatively, through the token they receive) and reports it as
/// <see cref="TimeoutRejectedException"/>; the caller's own cancellation propagates as an
/// <see cref="OperationCanceledException"/> carrying the caller's token.
/// </summary>
internal sealed class TimeoutComponent : PipelineComponent
{
    private static readonly Action<object?> CancelSource = static source => ((CancellationTokenSource)source!).Cancel();

    private readonly TimeSpan _timeout;
    private readonly long _timeoutTimestampTicks;
    private readonly TimeProvider _timeProvider;
    private readonly PipelineComponent _next;
    private readonly bool _publishDeadline;
    private readonly CancellationTokenSourcePool _pool;

    public TimeoutComponent(TimeSpan timeout, TimeProvider timeProvider, PipelineComponent next)
    {
        _timeout = timeout;
        _timeProvider = timeProvider;
        _next = next;
        _publishDeadline = next.UsesDeadline;
        _pool = new CancellationTokenSourcePool(timeProvider);
        var frequency = timeProvider.TimestampFrequency;
        _timeoutTimestampTicks = frequency == TimeSpan.TicksPerSecond
            ? timeout.Ticks
            : (long)Math.Ceiling(timeout.Ticks * (double)frequency / TimeSpan.TicksPerSecond);
    }

    public override bool UsesDeadline => _publishDeadline;

    public override ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, PipelineExecution execution)
    {
        var callerToken = execution.Token;
        if (callerToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(callerToken);
        }

        var source = _pool.Rent();
        source.CancelAfter(_timeout);
        var registration = callerToken.CanBeCanceled ? callerToken.UnsafeRegister(CancelSource, source) : default;

        PipelineExecution inner;
        if (_publishDeadline)
        {
            var deadline = _timeProvider.GetTimestamp() + _timeoutTimestampTicks;
            inner = deadline < execution.Deadline
                ? new PipelineExecution(deadline, _timeout, source.Token)
                : execution.WithToken(source.Token);
        }
        else
        {
            inner = new PipelineExecution(source.Token);
        }

        var pending = _next.ExecuteAsync(callback, state, inner);
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            registration.Dispose();
            _pool.Return(source);
            return new ValueTask<TResult>(result);
        }

        return ExecuteSlowAsync(pending, source, registration, callerToken);
    }

    private async ValueTask<TResult> ExecuteSlowAsync<TResult>(
        ValueTask<TResult> pending, CancellationTokenSource source, CancellationTokenRegistration registration, CancellationToken callerToken)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!callerToken.IsCancellationRequested && source.IsCancellationRequested)
        {
            TimeoutMetrics.RecordTimeout(deadline: false);
            throw new TimeoutRejectedException(_timeout, exception);
        }
        catch (OperationCanceledException exception) when (callerToken.IsCancellationRequested && exception.CancellationToken != callerToken)
        {
            throw new OperationCanceledException(exception.Message, exception, callerToken);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            _pool.Return(source);
        }
    }
}
