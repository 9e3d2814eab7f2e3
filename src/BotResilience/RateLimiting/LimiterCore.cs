using System.Runtime.CompilerServices;

namespace BotResilience.RateLimiting;

/// <summary>
/// The engine behind every limiter: one or several <see cref="LimitState"/>s that must all hold (all-or-nothing),
/// a FIFO queue of waiters and at most one timer, which exists only while waiters do. Thread-safe.
/// </summary>
internal class LimiterCore
{
    private static readonly TimerCallback OnTimerCallback = static state => ((LimiterCore)state!).OnTimer();

    private readonly LimiterDefinition _definition;
    private readonly Lock _lock = new();
    private readonly LimitState _first;
    private readonly LimitState[]? _all;
    private readonly long _createdAt;
    private LimiterWaiter? _head;
    private LimiterWaiter? _tail;
    private int _queuedPermits;
    private ITimer? _timer;
    private long _lastNow;
    private bool _disposed;
    private bool _retired;
    private bool _unused = true; // a keyed entry is never retired before its creator used it

    public LimiterCore(LimiterDefinition definition, long now)
    {
        _definition = definition;
        var specs = definition.Specs;
        _first = specs[0].CreateState(now);
        if (specs.Length > 1)
        {
            _all = new LimitState[specs.Length];
            _all[0] = _first;
            for (var i = 1; i < specs.Length; i++)
            {
                _all[i] = specs[i].CreateState(now);
            }
        }

        _createdAt = now;
        _lastNow = now;
    }

    public LimiterDefinition Definition => _definition;

    /// <summary>Number of permits currently queued.</summary>
    public int QueuedPermits
    {
        get
        {
            lock (_lock)
            {
                return _queuedPermits;
            }
        }
    }

    public void ValidatePermits(int permits)
    {
        if ((uint)(permits - 1) >= (uint)_definition.MaxPermits)
        {
            ThrowPermitsOutOfRange(permits, _definition);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowPermitsOutOfRange(int permits, LimiterDefinition definition) =>
        throw new ArgumentOutOfRangeException(
            nameof(permits),
            permits,
            $"permits must be between 1 and {definition.MaxPermits} (the {definition.PermitLimitName} of the limiter{(definition.Specs.Length > 1 ? ", smallest over its limits" : string.Empty)}); was {permits}.");

    /// <summary>Tries to acquire without waiting. Returns <see langword="false"/> only when this core was retired (keyed sweep).</summary>
    public bool TryAcquire(long now, int permits, out RateLimitDecision decision)
    {
        LimiterWaiter? done = null;
        lock (_lock)
        {
            if (_retired)
            {
                decision = default;
                return false;
            }

            _unused = false;
            ThrowIfDisposed();
            if (now < _lastNow)
            {
                now = _lastNow;
            }
            else
            {
                _lastNow = now;
            }

            if (_head is not null)
            {
                done = DrainLocked(now);
            }

            if (_head is null)
            {
                long wait;
                if (_all is null)
                {
                    wait = _first.TryConsume(now, permits);
                }
                else
                {
                    wait = WaitLocked(now, permits);
                    if (wait == 0)
                    {
                        ConsumeLocked(now, permits);
                    }
                }

                if (wait == 0)
                {
                    decision = RateLimitDecision.Granted;
                }
                else
                {
                    decision = RateLimitDecision.Throttled(_definition.ToTimeSpan(wait));
                }
            }
            else
            {
                // Waiters are queued: a newcomer must not jump ahead of them (FIFO).
                var wait = Math.Max(WaitLocked(now, _head.Permits), WaitLocked(now, permits));
                decision = RateLimitDecision.Throttled(_definition.ToTimeSpan(Math.Max(wait, 1)));
            }
        }

        if (done is not null)
        {
            CompleteGranted(done, now);
        }

        RateLimiterMetrics.Record(_definition, decision.Outcome);
        return true;
    }

    /// <summary>
    /// Coarse-clock fast path for a single limit on the system clock (<see cref="LimiterDefinition.CoarseFastPath"/>):
    /// grants without reading the stopwatch when the permits are available even at the coarse lower bound of now.
    /// Returns <see langword="false"/> when it did nothing (not enough at the lower bound, waiters, retired or disposed):
    /// the caller then takes the exact path with <see cref="TryAcquire"/>.
    /// </summary>
    public bool TryAcquireCoarse(long low, int permits)
    {
        lock (_lock)
        {
            if (_retired || _disposed || _head is not null
                || !_first.TryConsumeBounded(low, low + CoarseClock.LagTicks, permits))
            {
                return false;
            }

            _unused = false;
        }

        RateLimiterMetrics.Record(_definition, RateLimitOutcome.Granted);
        return true;
    }

    /// <summary>What <see cref="TryAcquire"/> would answer now, without consuming anything.</summary>
    public RateLimitDecision Probe(long now, int permits)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            now = Math.Max(now, _lastNow);
            if (_head is null)
            {
                var wait = WaitLocked(now, permits);
                return wait == 0 ? RateLimitDecision.Granted : RateLimitDecision.Throttled(_definition.ToTimeSpan(wait));
            }

            var queuedWait = Math.Max(WaitLocked(now, _head.Permits), WaitLocked(now, permits));
            return RateLimitDecision.Throttled(_definition.ToTimeSpan(Math.Max(queuedWait, 1)));
        }
    }

    /// <summary>Acquires, waiting FIFO. Returns <see langword="false"/> only when this core was retired (keyed sweep).</summary>
    public bool AcquireAsync(long now, int permits, CancellationToken cancellationToken, out ValueTask<RateLimitDecision> result)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            result = ValueTask.FromCanceled<RateLimitDecision>(cancellationToken);
            return true;
        }

        LimiterWaiter? done = null;
        LimiterWaiter? waiter = null;
        RateLimitDecision decision = default;
        lock (_lock)
        {
            if (_retired)
            {
                result = default;
                return false;
            }

            _unused = false;
            ThrowIfDisposed();
            if (now < _lastNow)
            {
                now = _lastNow;
            }
            else
            {
                _lastNow = now;
            }

            if (_head is not null)
            {
                done = DrainLocked(now);
            }

            long wait = 0;
            if (_head is null)
            {
                if (_all is null)
                {
                    wait = _first.TryConsume(now, permits);
                }
                else
                {
                    wait = WaitLocked(now, permits);
                    if (wait == 0)
                    {
                        ConsumeLocked(now, permits);
                    }
                }

                if (wait == 0)
                {
                    decision = RateLimitDecision.Granted;
                }
            }
            else
            {
                wait = Math.Max(WaitLocked(now, _head.Permits), WaitLocked(now, permits));
            }

            if (wait != 0)
            {
                if ((long)_queuedPermits + permits > _definition.QueueLimit)
                {
                    decision = RateLimitDecision.QueueFull(_definition.ToTimeSpan(wait));
                }
                else
                {
                    waiter = new LimiterWaiter(this, permits, now);
                    var wasEmpty = _head is null;
                    EnqueueLocked(waiter);
                    if (wasEmpty)
                    {
                        ScheduleTimerLocked(wait);
                    }
                }
            }
        }

        if (done is not null)
        {
            CompleteGranted(done, now);
        }

        if (waiter is null)
        {
            RateLimiterMetrics.Record(_definition, decision.Outcome);
            result = new ValueTask<RateLimitDecision>(decision);
            return true;
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var w = (LimiterWaiter)state!;
                    w.Core.Cancel(w, token);
                },
                waiter);
            if (waiter.Task.IsCompleted)
            {
                waiter.Registration.Unregister();
            }
        }

        result = new ValueTask<RateLimitDecision>(waiter.Task);
        return true;
    }

    /// <summary>Retires this core if it constrains nothing (no waiters, every state idle). Keyed limiters only.</summary>
    public bool TryRetire(long now)
    {
        lock (_lock)
        {
            if (_retired)
            {
                return true;
            }

            if (_unused || _head is not null || IdleSinceLocked() > Math.Max(now, _lastNow))
            {
                return false;
            }

            _retired = true;
            return true;
        }
    }

    public long AvailablePermits(long now)
    {
        lock (_lock)
        {
            now = Math.Max(now, _lastNow);
            if (_all is null)
            {
                return _first.AvailablePermits(now);
            }

            var available = long.MaxValue;
            foreach (var state in _all)
            {
                available = Math.Min(available, state.AvailablePermits(now));
            }

            return available;
        }
    }

    /// <summary>How long this core has constrained nothing, or <see langword="null"/> when it constrains something.</summary>
    public TimeSpan? IdleDuration(long now)
    {
        lock (_lock)
        {
            now = Math.Max(now, _lastNow);
            if (_head is not null)
            {
                return null;
            }

            var since = IdleSinceLocked();
            return since > now ? null : _definition.ToTimeSpan(now - since);
        }
    }

    public void Dispose()
    {
        LimiterWaiter? waiters;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            waiters = _head;
            for (var w = _head; w is not null; w = w.Next)
            {
                w.Queued = false;
            }

            _head = null;
            _tail = null;
            _queuedPermits = 0;
            DisposeTimerLocked();
        }

        while (waiters is not null)
        {
            var next = waiters.Next;
            waiters.Previous = null;
            waiters.Next = null;
            waiters.TrySetException(new ObjectDisposedException(nameof(LimiterCore), "The rate limiter was disposed while the request was waiting."));
            waiters.Registration.Unregister();
            waiters = next;
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowDisposed();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(IRateLimiter), "The rate limiter has been disposed.");

    private long IdleSinceLocked()
    {
        var since = _first.IdleSince();
        if (_all is not null)
        {
            foreach (var state in _all)
            {
                since = Math.Max(since, state.IdleSince());
            }
        }

        return Math.Max(since, _createdAt);
    }

    private long WaitLocked(long now, int permits)
    {
        if (_all is null)
        {
            return _first.GetWait(now, permits);
        }

        long wait = 0;
        foreach (var state in _all)
        {
            wait = Math.Max(wait, state.GetWait(now, permits));
        }

        return wait;
    }

    private void ConsumeLocked(long now, int permits)
    {
        if (_all is null)
        {
            _first.Consume(now, permits);
            return;
        }

        foreach (var state in _all)
        {
            state.Consume(now, permits);
        }
    }

    private void EnqueueLocked(LimiterWaiter waiter)
    {
        waiter.Queued = true;
        waiter.Previous = _tail;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        _queuedPermits += waiter.Permits;
    }

    private void UnlinkLocked(LimiterWaiter waiter)
    {
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Previous = null;
        waiter.Next = null;
        waiter.Queued = false;
        _queuedPermits -= waiter.Permits;
    }

    /// <summary>Grants queued waiters in order while possible; returns the chain of granted waiters to complete outside the lock.</summary>
    private LimiterWaiter? DrainLocked(long now)
    {
        LimiterWaiter? done = null;
        LimiterWaiter? doneTail = null;
        while (_head is { } waiter)
        {
            var wait = WaitLocked(now, waiter.Permits);
            if (wait > 0)
            {
                ScheduleTimerLocked(wait);
                return done;
            }

            ConsumeLocked(now, waiter.Permits);
            UnlinkLocked(waiter);
            if (doneTail is null)
            {
                done = waiter;
            }
            else
            {
                doneTail.NextDone = waiter;
            }

            doneTail = waiter;
        }

        DisposeTimerLocked();
        return done;
    }

    private void ScheduleTimerLocked(long waitTicks)
    {
        var due = _definition.ToTimeSpan(waitTicks);
        if (_definition.CustomClock is null)
        {
            // System timers have millisecond resolution: never wake before the permit is due.
            var ms = (due.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
            due = ms >= uint.MaxValue - 1 ? TimeSpan.FromMilliseconds(uint.MaxValue - 2) : TimeSpan.FromMilliseconds(ms);
        }

        if (_timer is null)
        {
            _timer = _definition.TimeProvider.CreateTimer(OnTimerCallback, this, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void DisposeTimerLocked()
    {
        if (_timer is not null)
        {
            _timer.Dispose();
            _timer = null;
        }
    }

    private void OnTimer()
    {
        LimiterWaiter? done;
        long now;
        lock (_lock)
        {
            if (_timer is null || _disposed)
            {
                return;
            }

            now = Math.Max(_definition.Now(), _lastNow);
            _lastNow = now;
            done = DrainLocked(now);
        }

        if (done is not null)
        {
            CompleteGranted(done, now);
        }
    }

    private void Cancel(LimiterWaiter waiter, CancellationToken cancellationToken)
    {
        LimiterWaiter? done = null;
        var removed = false;
        long now;
        lock (_lock)
        {
            now = Math.Max(_definition.Now(), _lastNow);
            if (waiter.Queued)
            {
                var wasHead = ReferenceEquals(_head, waiter);
                UnlinkLocked(waiter);
                removed = true;
                if (wasHead)
                {
                    _lastNow = now;
                    done = DrainLocked(now);
                }
            }
        }

        if (removed)
        {
            waiter.TrySetCanceled(cancellationToken);
        }

        if (done is not null)
        {
            CompleteGranted(done, now);
        }
    }

    private void CompleteGranted(LimiterWaiter done, long now)
    {
        for (var waiter = done; waiter is not null;)
        {
            var next = waiter.NextDone;
            waiter.NextDone = null;
            if (waiter.TrySetResult(RateLimitDecision.Granted))
            {
                RateLimiterMetrics.RecordQueuedGrant(_definition, _definition.ToTimeSpan(now - waiter.EnqueuedAt));
            }

            waiter.Registration.Unregister();
            waiter = next;
        }
    }
}
