using BotResilience.Telemetry;

namespace BotResilience.CircuitBreaking;

/// <summary>
/// A thread-safe circuit breaker, usable standalone (<see cref="ExecuteAsync{TResult, TState}"/>) and inside
/// pipelines through the execution-free API: <see cref="TryEnter(out TimeSpan)"/>, then exactly one of
/// <see cref="RecordSuccess"/>, <see cref="RecordFailure"/> or <see cref="RecordCanceled"/> for every admitted call.
/// </summary>
/// <remarks>
/// <para>
/// Closed: calls flow and outcomes are counted (consecutive failures, or failure ratio over a sampling window).
/// When the trip rule fires the circuit opens for <see cref="CircuitBreakerOptions.BreakDuration"/>. No timer is
/// used: the first <see cref="TryEnter(out TimeSpan)"/> after the break moves the circuit to half-open, which admits
/// up to <see cref="CircuitBreakerOptions.HalfOpenProbes"/> probes and rejects the rest. The first probe success closes
/// the circuit (counters reset), the first probe failure opens it again. Outcomes recorded while open or isolated
/// (calls admitted before the circuit opened) are ignored; outcomes recorded while half-open count as probe outcomes.
/// </para>
/// <para>
/// Hot path: in the closed state <see cref="TryEnter(out TimeSpan)"/> is one volatile read, and in
/// consecutive-failure mode <see cref="RecordSuccess"/> is two reads when there is no failure streak to reset:
/// no lock, no clock read, no allocation. In ratio mode a success is one clock read and one interlocked increment
/// (the lock is taken only to roll a bucket); failures always take the lock.
/// </para>
/// <para>
/// State-change notifications (<see cref="CircuitBreakerOptions.OnStateChanged"/>, <see cref="StateChanged"/>) run
/// on the thread that caused the transition after the internal lock was released; transitions caused concurrently
/// by different threads may be observed out of order.
/// </para>
/// </remarks>
public sealed class CircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _frequency;
    private readonly long _breakUnits;
    private readonly FailureWindow? _window;
    private readonly int _failureThreshold;
    private readonly double _failureRatio;
    private readonly int _minimumThroughput;
    private readonly int _halfOpenProbes;
    private readonly Func<Exception, bool>? _shouldHandle;
    private readonly Action<CircuitStateChange>? _onStateChanged;

    private volatile int _state; // CircuitState
    private int _consecutiveFailures;
    private long _deadline; // Open: when the break ends; HalfOpen: when the current probe round expires
    private int _probesAdmitted;

    /// <summary>Creates a breaker.</summary>
    /// <param name="options">The options; validated here and copied (later changes have no effect).</param>
    /// <param name="timeProvider">The clock; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its documented range.</exception>
    /// <exception cref="ArgumentException"><see cref="CircuitBreakerOptions.Name"/> is empty.</exception>
    public CircuitBreaker(CircuitBreakerOptions options, TimeProvider? timeProvider = null)
        : this(options, timeProvider, name: null)
    {
    }

    internal CircuitBreaker(CircuitBreakerOptions options, TimeProvider? timeProvider, string? name)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
        }

        Name = name ?? options.Name;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _frequency = _timeProvider.TimestampFrequency;
        _breakUnits = ToUnits(options.BreakDuration);
        _failureThreshold = options.FailureThreshold;
        _minimumThroughput = options.MinimumThroughput;
        _halfOpenProbes = options.HalfOpenProbes;
        _shouldHandle = options.ShouldHandle;
        _onStateChanged = options.OnStateChanged;
        if (options.FailureRatio is { } ratio)
        {
            _failureRatio = ratio;
            _window = new FailureWindow(ToUnits(options.SamplingDuration));
        }

        BreakDuration = options.BreakDuration;
        HalfOpenProbes = options.HalfOpenProbes;
    }

    /// <summary>Raised after every state transition (see the remarks on the class for threading).</summary>
    public event EventHandler<CircuitStateChange>? StateChanged;

    /// <summary>The name of the breaker (<see cref="CircuitBreakerOptions.Name"/>).</summary>
    public string Name { get; }

    /// <summary>The break duration the breaker was created with.</summary>
    public TimeSpan BreakDuration { get; }

    /// <summary>The number of probes admitted per half-open round.</summary>
    public int HalfOpenProbes { get; }

    /// <summary><see langword="true"/> when the breaker trips on a failure ratio, <see langword="false"/> for consecutive failures.</summary>
    public bool IsRatioMode => _window is not null;

    /// <summary>
    /// The current state. Reading it has no side effects: once the break has elapsed an open circuit reports
    /// <see cref="CircuitState.HalfOpen"/>, while the <c>Open → HalfOpen</c> notification is raised by the next
    /// <see cref="TryEnter(out TimeSpan)"/>.
    /// </summary>
    public CircuitState State
    {
        get
        {
            var state = (CircuitState)_state;
            if (state != CircuitState.Open)
            {
                return state;
            }

            lock (_lock)
            {
                state = (CircuitState)_state;
                return state == CircuitState.Open && _timeProvider.GetTimestamp() >= _deadline ? CircuitState.HalfOpen : state;
            }
        }
    }

    /// <summary>
    /// Asks to make a call. Returns <see langword="true"/> when admitted: the caller must then report the outcome
    /// with <see cref="RecordSuccess"/>, <see cref="RecordFailure"/> or <see cref="RecordCanceled"/>.
    /// </summary>
    /// <param name="retryAfter">
    /// <see cref="TimeSpan.Zero"/> when admitted. When rejected: the time until the breaker admits the next probe
    /// (end of the break, or end of the current half-open probe round), or <see cref="Timeout.InfiniteTimeSpan"/>
    /// when the breaker is <see cref="CircuitState.Isolated"/>.
    /// </param>
    /// <returns><see langword="false"/> when open, isolated, or half-open with every probe in use.</returns>
    public bool TryEnter(out TimeSpan retryAfter)
    {
        if (_state == (int)CircuitState.Closed)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        return TryEnterSlow(out retryAfter, out _);
    }

    /// <summary>
    /// Like <see cref="TryEnter(out TimeSpan)"/>, and also tells in which state the breaker rejected the call, so a
    /// caller can build an exact <see cref="BrokenCircuitException"/> (reading <see cref="State"/> afterwards may
    /// already show a later state).
    /// </summary>
    /// <param name="retryAfter">See <see cref="TryEnter(out TimeSpan)"/>.</param>
    /// <param name="state">
    /// When rejected: <see cref="CircuitState.Open"/>, <see cref="CircuitState.HalfOpen"/> or <see cref="CircuitState.Isolated"/>.
    /// When admitted: the state that admitted the call (<see cref="CircuitState.Closed"/>, or <see cref="CircuitState.HalfOpen"/> for a probe).
    /// </param>
    /// <returns><see langword="true"/> when admitted.</returns>
    public bool TryEnter(out TimeSpan retryAfter, out CircuitState state)
    {
        if (_state == (int)CircuitState.Closed)
        {
            retryAfter = TimeSpan.Zero;
            state = CircuitState.Closed;
            return true;
        }

        return TryEnterSlow(out retryAfter, out state);
    }

    /// <summary>Reports that an admitted call succeeded. In half-open this closes the circuit.</summary>
    public void RecordSuccess()
    {
        if (_state == (int)CircuitState.Closed)
        {
            if (_window is null)
            {
                if (Volatile.Read(ref _consecutiveFailures) == 0)
                {
                    return;
                }
            }
            else if (_window.TryRecordSuccess(_timeProvider.GetTimestamp()))
            {
                return;
            }
        }

        RecordOutcome(failure: false);
    }

    /// <summary>Reports that an admitted call failed. May open the circuit; in half-open it always does.</summary>
    public void RecordFailure() => RecordOutcome(failure: true);

    /// <summary>
    /// Reports that an admitted call ended with no verdict on the dependency's health (typically: the caller
    /// cancelled it). Nothing is counted; in half-open the probe slot is given back so another probe can run.
    /// </summary>
    public void RecordCanceled()
    {
        if (_state == (int)CircuitState.Closed)
        {
            return;
        }

        lock (_lock)
        {
            if (_state == (int)CircuitState.HalfOpen && _probesAdmitted > 0)
            {
                _probesAdmitted--;
            }
        }
    }

    /// <summary>Reports the outcome of an admitted call that threw <paramref name="exception"/>, using <see cref="IsFailure(Exception)"/>.</summary>
    /// <param name="exception">The exception the call threw.</param>
    /// <param name="cancellationToken">The caller's token: an <see cref="OperationCanceledException"/> while it is cancelled is recorded with <see cref="RecordCanceled"/>.</param>
    public void RecordException(Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            RecordCanceled();
        }
        else if (IsFailure(exception))
        {
            RecordFailure();
        }
        else
        {
            RecordSuccess();
        }
    }

    /// <summary>
    /// Applies <see cref="CircuitBreakerOptions.ShouldHandle"/>: <see langword="true"/> when <paramref name="exception"/>
    /// counts as a failure. Default: every exception except <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="exception">The exception thrown by a call.</param>
    /// <returns>Whether the exception counts as a failure.</returns>
    public bool IsFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return _shouldHandle is { } predicate ? predicate(exception) : exception is not OperationCanceledException;
    }

    /// <summary>Opens the circuit manually (kill switch): every call is rejected until <see cref="Reset"/>.</summary>
    public void Isolate()
    {
        CircuitStateChange? change = null;
        lock (_lock)
        {
            if (_state != (int)CircuitState.Isolated)
            {
                change = TransitionLocked(CircuitState.Isolated, _timeProvider.GetTimestamp());
            }
        }

        Publish(change);
    }

    /// <summary>Closes the circuit and clears every counter, whatever the state (also ends an isolation).</summary>
    public void Reset()
    {
        CircuitStateChange? change = null;
        lock (_lock)
        {
            if (_state != (int)CircuitState.Closed)
            {
                change = TransitionLocked(CircuitState.Closed, _timeProvider.GetTimestamp());
            }
            else
            {
                ClearCountersLocked();
            }
        }

        Publish(change);
    }

    /// <summary>
    /// Runs <paramref name="callback"/> through the breaker: rejects with <see cref="BrokenCircuitException"/> when
    /// the circuit does not admit the call, otherwise records the outcome (see <see cref="RecordException"/>).
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state passed to the callback (lets callers use static lambdas).</typeparam>
    /// <param name="callback">The call to protect.</param>
    /// <param name="state">State passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">Passed to <paramref name="callback"/>.</param>
    /// <returns>The callback's result.</returns>
    /// <exception cref="BrokenCircuitException">The circuit rejected the call.</exception>
    public async ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback,
        TState state,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (_state != (int)CircuitState.Closed && !TryEnterSlow(out var retryAfter, out var rejectedIn))
        {
            throw new BrokenCircuitException(Name, rejectedIn, retryAfter);
        }

        TResult result;
        try
        {
            result = await callback(state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RecordException(ex, cancellationToken);
            throw;
        }

        RecordSuccess();
        return result;
    }

    /// <summary>Runs <paramref name="callback"/> through the breaker; see <see cref="ExecuteAsync{TResult, TState}"/>.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The call to protect.</param>
    /// <param name="cancellationToken">Passed to <paramref name="callback"/>.</param>
    /// <returns>The callback's result.</returns>
    /// <exception cref="BrokenCircuitException">The circuit rejected the call.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ExecuteAsync(static (cb, ct) => cb(ct), callback, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="TryEnter(out TimeSpan)"/>, but throws <see cref="BrokenCircuitException"/> on rejection.
    /// </summary>
    /// <exception cref="BrokenCircuitException">The circuit rejected the call.</exception>
    public void Enter()
    {
        if (_state != (int)CircuitState.Closed && !TryEnterSlow(out var retryAfter, out var rejectedIn))
        {
            throw new BrokenCircuitException(Name, rejectedIn, retryAfter);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"CircuitBreaker '{Name}' ({State})";

    private bool TryEnterSlow(out TimeSpan retryAfter, out CircuitState rejectedIn) // rejectedIn: the deciding state
    {
        CircuitStateChange? change = null;
        bool admitted;
        long waitUnits = 0;
        lock (_lock)
        {
            var state = (CircuitState)_state;
            rejectedIn = state;
            var now = _timeProvider.GetTimestamp();
            if (state == CircuitState.Open)
            {
                if (now < _deadline)
                {
                    waitUnits = _deadline - now;
                }
                else
                {
                    change = TransitionLocked(CircuitState.HalfOpen, now);
                    state = CircuitState.HalfOpen;
                    rejectedIn = state;
                }
            }

            switch (state)
            {
                case CircuitState.Closed:
                    admitted = true;
                    break;
                case CircuitState.HalfOpen:
                    if (now >= _deadline)
                    {
                        // The previous probe round never reported back within a break duration: start a new round.
                        _deadline = now + _breakUnits;
                        _probesAdmitted = 0;
                    }

                    if (_probesAdmitted < _halfOpenProbes)
                    {
                        _probesAdmitted++;
                        admitted = true;
                    }
                    else
                    {
                        admitted = false;
                        waitUnits = _deadline - now;
                    }

                    break;
                default: // Open (break not over) or Isolated
                    admitted = false;
                    break;
            }
        }

        Publish(change);
        if (admitted)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = rejectedIn == CircuitState.Isolated ? Timeout.InfiniteTimeSpan : ToTimeSpanCeiling(waitUnits);
        if (CircuitBreakerMetrics.Rejections.Enabled)
        {
            CircuitBreakerMetrics.Rejections.Add(
                1,
                new KeyValuePair<string, object?>("name", Name),
                new KeyValuePair<string, object?>("state", CircuitBreakerMetrics.ToTag(rejectedIn)));
        }

        return false;
    }

    private void RecordOutcome(bool failure)
    {
        CircuitStateChange? change = null;
        lock (_lock)
        {
            switch ((CircuitState)_state)
            {
                case CircuitState.Closed:
                    if (_window is { } window)
                    {
                        var now = _timeProvider.GetTimestamp();
                        window.Record(now, failure);
                        if (failure)
                        {
                            var (total, failures) = window.Totals(now);
                            if (total >= _minimumThroughput && failures >= _failureRatio * total)
                            {
                                change = TransitionLocked(CircuitState.Open, now);
                            }
                        }
                    }
                    else if (failure)
                    {
                        if (++_consecutiveFailures >= _failureThreshold)
                        {
                            change = TransitionLocked(CircuitState.Open, _timeProvider.GetTimestamp());
                        }
                    }
                    else
                    {
                        _consecutiveFailures = 0;
                    }

                    break;
                case CircuitState.HalfOpen:
                    change = TransitionLocked(failure ? CircuitState.Open : CircuitState.Closed, _timeProvider.GetTimestamp());
                    break;
                default:
                    // Open or Isolated: a late outcome of a call admitted before the circuit opened. Ignored.
                    break;
            }
        }

        Publish(change);
    }

    private CircuitStateChange TransitionLocked(CircuitState to, long now)
    {
        var from = (CircuitState)_state;
        switch (to)
        {
            case CircuitState.Open:
                _deadline = now + _breakUnits;
                break;
            case CircuitState.HalfOpen:
                _deadline = now + _breakUnits;
                _probesAdmitted = 0;
                break;
            case CircuitState.Closed:
                ClearCountersLocked();
                break;
            default:
                break;
        }

        _state = (int)to;
        return new CircuitStateChange(Name, from, to, _timeProvider.GetUtcNow());
    }

    private void ClearCountersLocked()
    {
        _consecutiveFailures = 0;
        _probesAdmitted = 0;
        _window?.Clear();
    }

    private void Publish(CircuitStateChange? change)
    {
        if (change is null)
        {
            return;
        }

        if (CircuitBreakerMetrics.Transitions.Enabled)
        {
            CircuitBreakerMetrics.Transitions.Add(
                1,
                new KeyValuePair<string, object?>("name", change.Name),
                new KeyValuePair<string, object?>("from", CircuitBreakerMetrics.ToTag(change.From)),
                new KeyValuePair<string, object?>("to", CircuitBreakerMetrics.ToTag(change.To)));
        }

        _onStateChanged?.Invoke(change);
        StateChanged?.Invoke(this, change);
    }

    private long ToUnits(TimeSpan duration) => (long)((Int128)duration.Ticks * _frequency / TimeSpan.TicksPerSecond);

    private TimeSpan ToTimeSpanCeiling(long units) =>
        TimeSpan.FromTicks((long)(((Int128)units * TimeSpan.TicksPerSecond + _frequency - 1) / _frequency));
}
