namespace BotResilience.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock only moves when a test calls <see cref="Advance"/> or
/// <see cref="SetUtcNow"/>. Timers created through it (and therefore <c>Task.Delay(d, provider)</c>,
/// <c>CancellationTokenSource(d, provider)</c> and <c>WaitAsync(d, provider)</c>) fire synchronously
/// inside <see cref="Advance"/>, in due-time order, so unit tests never sleep.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _utcNow;
    private long _ticks; // monotonic timestamp, in TimeSpan ticks

    /// <summary>Creates a provider starting at 2026-01-01T00:00:00Z.</summary>
    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Creates a provider starting at <paramref name="start"/>.</summary>
    public ManualTimeProvider(DateTimeOffset start)
    {
        _utcNow = start;
        _ticks = 1_000_000_000; // arbitrary, non-zero origin so nobody relies on timestamp 0
    }

    /// <summary>Number of timers that are scheduled and not yet fired or disposed.</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueTick is not null);
            }
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _utcNow;
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that becomes due.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target;
        lock (_gate)
        {
            target = _ticks + delta.Ticks;
        }

        // Fire timers one at a time in due order, moving the clock to each due time first so
        // callbacks observe the time at which they were scheduled to run.
        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueTick is { } due && due <= target && (next is null || due < next.DueTick))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    _utcNow += TimeSpan.FromTicks(target - _ticks);
                    Volatile.Write(ref _ticks, target);
                    return;
                }

                var dueTick = next.DueTick!.Value;
                if (dueTick > _ticks)
                {
                    _utcNow += TimeSpan.FromTicks(dueTick - _ticks);
                    Volatile.Write(ref _ticks, dueTick);
                }

                next.DueTick = next.PeriodTicks is { } period and > 0 ? dueTick + period : null;
            }

            next.Fire();
        }
    }

    /// <summary>Sets the wall clock without moving the monotonic timestamp (wall-clock jumps must not affect limiters).</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_gate)
        {
            _utcNow = value;
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            lock (owner._gate)
            {
                owner._timers.Add(this);
            }
        }

        public long? DueTick { get; set; }

        public long? PeriodTicks { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._gate)
            {
                if (!_owner._timers.Contains(this))
                {
                    return false;
                }

                DueTick = dueTime == Timeout.InfiniteTimeSpan ? null : _owner._ticks + Math.Max(0, dueTime.Ticks);
                PeriodTicks = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period.Ticks;
            }

            if (dueTime == TimeSpan.Zero)
            {
                // Due now: fire as the real timer would, without waiting for the next Advance.
                _owner.Advance(TimeSpan.Zero);
            }

            return true;
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._gate)
            {
                _owner._timers.Remove(this);
                DueTick = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
