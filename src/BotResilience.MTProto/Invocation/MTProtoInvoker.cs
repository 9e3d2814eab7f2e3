using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using BotResilience.CircuitBreaking;
using BotResilience.MTProto.Classification;
using BotResilience.MTProto.Telemetry;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Timeouts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.MTProto;

/// <summary>
/// Runs MTProto calls (WTelegramClient's <c>client.Messages_GetHistory(...)</c>, <c>client.Invoke(...)</c>, or any
/// <see cref="Task{TResult}"/>) so that floods never freeze the host: per session a rate limit, a shared flood gate,
/// flood-wait-aware retry, a circuit breaker, a timeout per call and an optional fallback to cached data.
/// </summary>
/// <remarks>
/// <para>Each attempt of an invocation, in order:</para>
/// <list type="number">
/// <item>if the session's circuit is not closed, it must admit the call (open or isolated: rejected at once with
/// <see cref="BrokenCircuitException"/>, before any waiting);</item>
/// <item>wait for the flood gate of the session (and of the method with <see cref="MTProtoInvokerOptions.PauseMethodScope"/>);
/// a pause longer than <see cref="MTProtoInvokerOptions.FloodWaitThreshold"/> fails fast with <see cref="FloodWaitException"/>;</item>
/// <item>wait for the session's rate limit (a refusal because the queue is full throws <see cref="RateLimitRejectedException"/>);
/// if a flood wait was learned meanwhile, go back to the gate;</item>
/// <item>call, with <see cref="MTProtoInvokerOptions.Timeout"/> (<see cref="TimeoutRejectedException"/>).</item>
/// </list>
/// <para>
/// A flood wait pauses the gate for <c>X + FloodWaitMargin</c> for every caller of the scope, raises
/// <see cref="FloodWaitObserved"/> and is retried when the gate reopens, or fails fast with <see cref="FloodWaitException"/>
/// above the threshold. <c>PEER_FLOOD</c> throws <see cref="PeerFloodException"/> at once. A transport flood pauses the whole
/// session for <c>min(TransportFloodDelay · 2^n, MaxTransportBackoff)</c> and is retried. Other errors are retried after
/// <see cref="MTProtoInvokerOptions.RetryDelay"/> when <see cref="MTProtoInvokerOptions.ShouldRetry"/> allows it.
/// </para>
/// <para>
/// With a <c>fallback</c>, every failure except the caller's own cancellation returns the fallback's result instead
/// (graceful degradation to cached data while the circuit is open, the session is paused for long, or retries are exhausted).
/// </para>
/// </remarks>
public sealed partial class MTProtoInvoker : IDisposable, ICircuitBreakerRegistry
{
    private const int MaxPooledTokenSources = 64;
    private readonly MTProtoInvokerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IKeyedRateLimiter<string> _limiter;
    private readonly KeyedRateLimiter<string>? _ownedLimiter;
    private readonly IFloodGate _gate;
    private readonly ConcurrentDictionary<string, SessionContext> _sessions = new(StringComparer.Ordinal);
    private readonly Func<string, SessionContext> _contextFactory;
    private readonly ConcurrentQueue<CancellationTokenSource> _tokenSources = new();

    /// <summary>Creates an invoker.</summary>
    /// <param name="options">The options; validated and copied.</param>
    /// <param name="timeProvider">The clock for limits, pauses, delays, timeouts and the breaker; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives warnings for flood waits, transport floods, <c>PEER_FLOOD</c> and breaker rejections; optional.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range (the message names it).</exception>
    /// <exception cref="ArgumentException">The options are inconsistent (the message names the option).</exception>
    public MTProtoInvoker(MTProtoInvokerOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        if (_options.Limiter is { } limiter)
        {
            _limiter = limiter;
        }
        else
        {
            _ownedLimiter = new KeyedRateLimiter<string>(_options.Limits, _timeProvider, StringComparer.Ordinal);
            _limiter = _ownedLimiter;
        }

        _gate = _options.FloodGate ?? new FloodGate(_timeProvider);
        _contextFactory = CreateContext;
    }

    /// <summary>
    /// Raised for every flood wait and transport flood a call receives (before the invocation waits or fails), so
    /// waits are never invisible. Handlers run synchronously on the invoking thread; exceptions they throw are logged
    /// and do not affect the invocation.
    /// </summary>
    public event EventHandler<FloodWaitObservedEventArgs>? FloodWaitObserved;

    /// <summary>The flood gate the invoker pauses (the configured one or its private one).</summary>
    public IFloodGate FloodGate => _gate;

    /// <summary>The circuit breakers of the sessions seen so far (for health checks).</summary>
    public IReadOnlyCollection<CircuitBreaker> Breakers => _sessions.Values.Select(static s => s.Breaker).ToArray();

    /// <summary>Invokes <paramref name="call"/> for <paramref name="session"/>.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="session">The MTProto session (account) the call uses: limits, pauses and the circuit are per session.</param>
    /// <param name="call">The call; receives a token cancelled on timeout or caller cancellation.</param>
    /// <param name="method">The MTProto method name (<c>messages.getHistory</c>) for metrics, events and <see cref="MTProtoInvokerOptions.PauseMethodScope"/>.</param>
    /// <param name="cancellationToken">Cancels waiting, retrying and the call.</param>
    /// <returns>The call's result.</returns>
    /// <exception cref="FloodWaitException">A flood wait above the threshold, or flood waits outlasted the retries.</exception>
    /// <exception cref="PeerFloodException">Telegram answered <c>PEER_FLOOD</c>.</exception>
    /// <exception cref="BrokenCircuitException">The session's circuit is open or isolated.</exception>
    /// <exception cref="RateLimitRejectedException">The session's limiter queue is full.</exception>
    /// <exception cref="TimeoutRejectedException">The last attempt timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<TResult> InvokeAsync<TResult>(string session, Func<CancellationToken, Task<TResult>> call, string? method = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return ExecuteAsync(session, static (c, ct) => c(ct), call, method, null, cancellationToken).AsTask();
    }

    /// <summary>Invokes <paramref name="call"/> for <paramref name="session"/>, returning <paramref name="fallback"/>'s result when it fails.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="session">The MTProto session.</param>
    /// <param name="call">The call.</param>
    /// <param name="fallback">Produces the degraded result (cached data) on any failure except the caller's cancellation.</param>
    /// <param name="method">The MTProto method name, for metrics, events and method-scoped pauses.</param>
    /// <param name="cancellationToken">Cancels waiting, retrying, the call and the fallback.</param>
    /// <returns>The call's result, or the fallback's.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<TResult> InvokeAsync<TResult>(
        string session, Func<CancellationToken, Task<TResult>> call, Func<CancellationToken, Task<TResult>> fallback, string? method = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(fallback);
        return ExecuteAsync(session, static (s, ct) => s.call(ct), (call, fallback), method, static (s, ct) => s.fallback(ct), cancellationToken).AsTask();
    }

    /// <summary>
    /// Invokes <paramref name="call"/> with <paramref name="state"/> (use static lambdas: no closure allocation), with an
    /// optional <paramref name="fallback"/>.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="session">The MTProto session.</param>
    /// <param name="call">The call.</param>
    /// <param name="state">Passed to <paramref name="call"/> and <paramref name="fallback"/>.</param>
    /// <param name="method">The MTProto method name, for metrics, events and method-scoped pauses.</param>
    /// <param name="fallback">Produces the degraded result on any failure except the caller's cancellation; optional.</param>
    /// <param name="cancellationToken">Cancels waiting, retrying, the call and the fallback.</param>
    /// <returns>The call's result, or the fallback's.</returns>
    public ValueTask<TResult> InvokeAsync<TResult, TState>(
        string session,
        Func<TState, CancellationToken, Task<TResult>> call,
        TState state,
        string? method = null,
        Func<TState, CancellationToken, Task<TResult>>? fallback = null,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync(session, call, state, method, fallback, cancellationToken);

    /// <summary>Kill switch: isolates <paramref name="session"/>'s circuit, so every invocation is rejected (or falls back) until <see cref="Reset"/>.</summary>
    /// <param name="session">The session.</param>
    public void Isolate(string session) => GetContext(session).Breaker.Isolate();

    /// <summary>Closes <paramref name="session"/>'s circuit (after <see cref="Isolate"/> or to end a break early).</summary>
    /// <param name="session">The session.</param>
    public void Reset(string session) => GetContext(session).Breaker.Reset();

    /// <summary>The state of <paramref name="session"/>'s circuit.</summary>
    /// <param name="session">The session.</param>
    /// <returns>The circuit state (<see cref="CircuitState.Closed"/> for a session never seen).</returns>
    public CircuitState GetCircuitState(string session) => GetContext(session).Breaker.State;

    /// <summary>The remaining pause of <paramref name="session"/> (and of <paramref name="method"/>, when given): the longer of the two.</summary>
    /// <param name="session">The session.</param>
    /// <param name="method">A method name, or <see langword="null"/> for the session only.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The time until calls may go out again; <see cref="TimeSpan.Zero"/> when not paused.</returns>
    public async ValueTask<TimeSpan> GetRemainingPauseAsync(string session, string? method = null, CancellationToken cancellationToken = default)
    {
        var context = GetContext(session);
        var remaining = await _gate.GetRemainingPauseAsync(context.Scope, cancellationToken).ConfigureAwait(false);
        if (method is not null)
        {
            var methodRemaining = await _gate.GetRemainingPauseAsync(context.GetMethodScope(method), cancellationToken).ConfigureAwait(false);
            remaining = methodRemaining > remaining ? methodRemaining : remaining;
        }

        return remaining;
    }

    /// <summary>Releases the invoker's own limiter (a configured <see cref="MTProtoInvokerOptions.Limiter"/> is not disposed).</summary>
    public void Dispose()
    {
        _ownedLimiter?.Dispose();
        while (_tokenSources.TryDequeue(out var source))
        {
            source.Dispose();
        }
    }

    internal SessionContext GetContext(string session)
    {
        ArgumentException.ThrowIfNullOrEmpty(session);
        return _sessions.TryGetValue(session, out var context) ? context : _sessions.GetOrAdd(session, _contextFactory);
    }

    private SessionContext CreateContext(string session)
    {
        var breaker = new CircuitBreaker(
            new CircuitBreakerOptions
            {
                Name = "mtproto:" + session,
                FailureThreshold = _options.FailureThreshold,
                BreakDuration = _options.BreakDuration,
                HalfOpenProbes = _options.HalfOpenProbes,
            },
            _timeProvider);
        return new SessionContext(session, breaker);
    }

    private async ValueTask<TResult> ExecuteAsync<TResult, TState>(
        string session,
        Func<TState, CancellationToken, Task<TResult>> call,
        TState state,
        string? method,
        Func<TState, CancellationToken, Task<TResult>>? fallback,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var context = GetContext(session);
        var methodScope = method is null ? null : context.GetMethodScope(method);
        var floodScope = _options.PauseMethodScope && methodScope is not null ? methodScope : context.Scope;
        var retries = 0;
        var transportFloods = 0;
        var ownLongPause = false;

        while (true)
        {
            ExceptionDispatchInfo failure;
            string outcome;
            var retryDelay = TimeSpan.Zero;
            var retryKind = MTProtoErrorKind.NotMTProto;
            var entered = false;
            try
            {
                // 1. An open or isolated circuit rejects before any waiting.
                if (context.Breaker.State != CircuitState.Closed)
                {
                    entered = TryEnterOrThrow(context, method);
                }

                // 2-3. Flood gate(s), then the limiter; back to the gate if a pause was learned while queued.
                await WaitForPermitAsync(context, methodScope, ownLongPause, cancellationToken).ConfigureAwait(false);
                ownLongPause = false;
                if (!entered)
                {
                    entered = TryEnterOrThrow(context, method);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (entered)
                {
                    // A half-open probe that never reached Telegram: no verdict, the probe slot is given back.
                    context.Breaker.RecordCanceled();
                }

                failure = ExceptionDispatchInfo.Capture(ex);
                outcome = ex switch
                {
                    BrokenCircuitException => "broken_circuit",
                    FloodWaitException => "flood_wait",
                    RateLimitRejectedException => "rate_limited",
                    _ => "failure",
                };
                goto Failed;
            }
            catch (OperationCanceledException)
            {
                if (entered)
                {
                    context.Breaker.RecordCanceled();
                }

                MTProtoMetrics.RecordInvocation(context.Session, method, "cancelled", false);
                throw;
            }

            // 4. The call.
            try
            {
                var result = await CallAsync(call, state, cancellationToken).ConfigureAwait(false);
                context.Breaker.RecordSuccess();
                MTProtoMetrics.RecordInvocation(context.Session, method, "success", false);
                return result;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller gave up: no verdict on Telegram's health (a half-open probe slot is given back).
                context.Breaker.RecordCanceled();

                MTProtoMetrics.RecordInvocation(context.Session, method, "cancelled", false);
                throw;
            }
            catch (Exception ex)
            {
                var error = MTProtoErrorClassifier.Classify(ex);
                switch (error.Kind)
                {
                    case MTProtoErrorKind.FloodWait:
                    {
                        RecordVerdict(context, _options.FloodWaitsCountAsFailures);
                        var pause = error.RetryAfter + _options.FloodWaitMargin;
                        var willRetry = pause <= _options.FloodWaitThreshold && retries < _options.MaxRetryAttempts;
                        await _gate.PauseAsync(floodScope, pause, CancellationToken.None).ConfigureAwait(false);
                        ReportWait(context, method, error, error.Seconds, pause, floodScope, willRetry);
                        if (willRetry)
                        {
                            retryKind = MTProtoErrorKind.FloodWait;
                            goto Retry;
                        }

                        failure = ExceptionDispatchInfo.Capture(new FloodWaitException(pause, floodScope, ex));
                        outcome = "flood_wait";
                        goto Failed;
                    }

                    case MTProtoErrorKind.PeerFlood:
                        RecordVerdict(context, failed: false);
                        LogPeerFlood(_logger, context.Session, method);
                        failure = ExceptionDispatchInfo.Capture(new PeerFloodException(context.Session, method, ex));
                        outcome = "peer_flood";
                        goto Failed;

                    case MTProtoErrorKind.TransportFlood:
                    {
                        RecordVerdict(context, failed: true);
                        var backoff = TransportBackoff(transportFloods++);
                        var willRetry = retries < _options.MaxRetryAttempts;
                        await _gate.PauseAsync(context.Scope, backoff, CancellationToken.None).ConfigureAwait(false);
                        ReportWait(context, method, error, (int)Math.Ceiling(backoff.TotalSeconds), backoff, context.Scope, willRetry);
                        if (willRetry)
                        {
                            retryKind = MTProtoErrorKind.TransportFlood;
                            ownLongPause = true;
                            goto Retry;
                        }

                        failure = ExceptionDispatchInfo.Capture(ex);
                        outcome = "transport_flood";
                        goto Failed;
                    }

                    default:
                    {
                        var retryable = _options.ShouldRetry?.Invoke(error) ?? IsRetryableByDefault(error);
                        RecordVerdict(context, failed: retryable);
                        if (retryable && retries < _options.MaxRetryAttempts)
                        {
                            retryKind = error.Kind;
                            retryDelay = _options.RetryDelay;
                            goto Retry;
                        }

                        failure = ExceptionDispatchInfo.Capture(ex);
                        outcome = ex is TimeoutRejectedException ? "timeout" : "failure";
                        goto Failed;
                    }
                }
            }

        Retry:
            retries++;
            MTProtoMetrics.RecordRetry(context.Session, method, retryKind);
            if (retryDelay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(retryDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    MTProtoMetrics.RecordInvocation(context.Session, method, "cancelled", false);
                    throw;
                }
            }

            continue;

        Failed:
            if (fallback is not null)
            {
                MTProtoMetrics.RecordInvocation(context.Session, method, outcome, true);
                LogFallback(_logger, context.Session, method, outcome);
                return await fallback(state, cancellationToken).ConfigureAwait(false);
            }

            MTProtoMetrics.RecordInvocation(context.Session, method, outcome, false);
            failure.Throw();
        }
    }

    private bool TryEnterOrThrow(SessionContext context, string? method)
    {
        if (context.Breaker.TryEnter(out var retryAfter))
        {
            return true;
        }

        MTProtoMetrics.RecordBreakerRejection(context.Session, method);
        LogBreakerRejection(_logger, context.Session, method, context.Breaker.State, retryAfter);
        throw new BrokenCircuitException(context.Breaker.Name, context.Breaker.State, retryAfter);
    }

    private async ValueTask WaitForPermitAsync(SessionContext context, string? methodScope, bool ownLongPause, CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitForGateAsync(context.Scope, ownLongPause, cancellationToken).ConfigureAwait(false);
            if (methodScope is not null)
            {
                await WaitForGateAsync(methodScope, ownLongPause, cancellationToken).ConfigureAwait(false);
            }

            var decision = await _limiter.AcquireAsync(context.Session, 1, cancellationToken).ConfigureAwait(false);
            if (!decision.IsGranted)
            {
                throw new RateLimitRejectedException(decision.RetryAfter, decision.Outcome);
            }

            // A flood wait learned while this caller was queued: the permit is given up (conservative) and the caller
            // waits again, so no call leaves while the session is paused and the burst after the pause stays limited.
            if (await _gate.GetRemainingPauseAsync(context.Scope, cancellationToken).ConfigureAwait(false) == TimeSpan.Zero
                && (methodScope is null || await _gate.GetRemainingPauseAsync(methodScope, cancellationToken).ConfigureAwait(false) == TimeSpan.Zero))
            {
                return;
            }
        }
    }

    private async ValueTask WaitForGateAsync(string scope, bool ownLongPause, CancellationToken cancellationToken)
    {
        var remaining = await _gate.GetRemainingPauseAsync(scope, cancellationToken).ConfigureAwait(false);
        if (remaining == TimeSpan.Zero)
        {
            return;
        }

        if (remaining > _options.FloodWaitThreshold && !ownLongPause)
        {
            throw new FloodWaitException(remaining, scope);
        }

        await _gate.WaitAsync(scope, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<TResult> CallAsync<TResult, TState>(Func<TState, CancellationToken, Task<TResult>> call, TState state, CancellationToken cancellationToken)
    {
        // A pooled token source per attempt (cancelled on timeout or when the caller cancels): no allocation per call.
        var attemptCts = RentTokenSource();
        var registration = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), attemptCts);
        var abandoned = false;
        try
        {
            var task = call(state, attemptCts.Token) ?? throw new InvalidOperationException("The MTProto call returned a null task.");
            if (task.IsCompleted)
            {
                return await task.ConfigureAwait(false);
            }

            var timeout = _options.Timeout;
            try
            {
                return timeout == System.Threading.Timeout.InfiniteTimeSpan
                    ? await task.WaitAsync(cancellationToken).ConfigureAwait(false)
                    : await task.WaitAsync(timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex) when (!task.IsCompleted || !ReferenceEquals(task.Exception?.InnerException, ex))
            {
                abandoned = true;
                Abandon(task, attemptCts);
                throw new TimeoutRejectedException(timeout, ex);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !task.IsCompleted)
            {
                abandoned = true;
                Abandon(task, attemptCts);
                throw;
            }
        }
        finally
        {
            registration.Dispose();
            if (abandoned)
            {
                attemptCts.Dispose(); // already cancelled; the abandoned call may still hold its token, so never reuse it
            }
            else
            {
                ReturnTokenSource(attemptCts);
            }
        }
    }

    private CancellationTokenSource RentTokenSource() =>
        _tokenSources.TryDequeue(out var source) ? source : new CancellationTokenSource();

    private void ReturnTokenSource(CancellationTokenSource source)
    {
        if (source.TryReset() && _tokenSources.Count < MaxPooledTokenSources)
        {
            _tokenSources.Enqueue(source);
        }
        else
        {
            source.Dispose();
        }
    }

    private void Abandon(Task task, CancellationTokenSource attemptCts)
    {
        try
        {
            attemptCts.Cancel();
        }
        catch (AggregateException ex)
        {
            LogAbandonFailed(_logger, ex);
        }

        // The abandoned call may still fail later: observe it, or it becomes an unobserved task exception (seed 001).
        _ = task.ContinueWith(
            static (t, logger) => LogLateFailure((ILogger)logger!, t.Exception!.GetBaseException()),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private TimeSpan TransportBackoff(int n)
    {
        var max = _options.MaxTransportBackoff;
        var ticks = _options.TransportFloodDelay.Ticks * Math.Pow(2, Math.Min(n, 62));
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    private static bool IsRetryableByDefault(MTProtoError error) =>
        error.Kind != MTProtoErrorKind.Other || error.Code is < 400 or > 499;

    private static void RecordVerdict(SessionContext context, bool failed)
    {
        if (failed)
        {
            context.Breaker.RecordFailure();
        }
        else
        {
            context.Breaker.RecordSuccess();
        }
    }

    private void ReportWait(SessionContext context, string? method, MTProtoError error, int seconds, TimeSpan pause, string scope, bool willRetry)
    {
        MTProtoMetrics.RecordFloodWait(context.Session, method, error.Kind, error.Name, pause);
        LogWait(_logger, error.Name, context.Session, method, pause, willRetry);
        var handler = FloodWaitObserved;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new FloodWaitObservedEventArgs(context.Session, method, error.Kind, error.Name, seconds, pause, scope, willRetry));
        }
#pragma warning disable CA1031 // A faulty observer must not break the invocation; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogObserverFailed(_logger, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "MTProto {Error} on session {Session} ({Method}): pausing {Pause}; retry: {WillRetry}")]
    private static partial void LogWait(ILogger logger, string? error, string session, string? method, TimeSpan pause, bool willRetry);

    [LoggerMessage(2, LogLevel.Error, "MTProto PEER_FLOOD on session {Session} ({Method}): the account is limited; not retried")]
    private static partial void LogPeerFlood(ILogger logger, string session, string? method);

    [LoggerMessage(3, LogLevel.Warning, "MTProto circuit of session {Session} is {State}: call {Method} rejected, retry after {RetryAfter}")]
    private static partial void LogBreakerRejection(ILogger logger, string session, string? method, CircuitState state, TimeSpan retryAfter);

    [LoggerMessage(4, LogLevel.Information, "MTProto call {Method} on session {Session} failed ({Outcome}); using the fallback")]
    private static partial void LogFallback(ILogger logger, string session, string? method, string outcome);

    [LoggerMessage(5, LogLevel.Debug, "An abandoned (timed out or cancelled) MTProto call failed later")]
    private static partial void LogLateFailure(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "Cancelling an abandoned MTProto call threw")]
    private static partial void LogAbandonFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "A FloodWaitObserved handler threw")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception);
}
