using System.Collections.Concurrent;

namespace BotResilience.Retry;

/// <summary>
/// An in-memory <see cref="IFloodGate"/>: keyed pause deadlines shared by every caller of a process.
/// </summary>
/// <remarks>
/// <para>
/// A scope is any string (<c>bot</c>, <c>chat:123</c>, <c>session:main</c>, <c>method:messages.getHistory</c>).
/// <see cref="Pause(string, TimeSpan)"/> moves the scope's deadline to <c>max(current, now + duration)</c> with a
/// compare-and-swap loop, so deadlines only ever move later and concurrent pauses never lose the longest one.
/// Nothing but the clock opens a scope: a call finishing (successfully or not) does not release the other
/// waiters early (unlike a shared "event" that any finishing request sets).
/// </para>
/// <para>
/// Deadlines are <see cref="TimeProvider.GetTimestamp"/> values (monotonic), so wall-clock jumps change nothing.
/// Passed deadlines are dropped lazily (when read, and by an amortised sweep during pauses); there is no timer.
/// Checking an open scope does not allocate.
/// </para>
/// </remarks>
public sealed class FloodGate : IFloodGate
{
    private const long Removed = long.MinValue;
    private const int SweepInterval = 256;

    private readonly ConcurrentDictionary<string, Entry> _scopes = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private int _pausesSinceSweep;

    /// <summary>Creates a gate.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public FloodGate(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised (synchronously, on the pausing thread) when a pause moved a scope's deadline later.</summary>
    public event EventHandler<FloodGatePausedEventArgs>? Paused;

    /// <summary>Number of scopes currently remembered (paused, or passed but not yet swept).</summary>
    public int TrackedScopeCount => _scopes.Count;

    /// <summary>Time left until <paramref name="scope"/> opens; <see cref="TimeSpan.Zero"/> when open.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The remaining pause, never negative.</returns>
    /// <remarks>Allocation-free. Reads the clock only when the scope has a deadline.</remarks>
    public TimeSpan GetRemainingPause(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!_scopes.TryGetValue(scope, out var entry))
        {
            return TimeSpan.Zero;
        }

        var deadline = Volatile.Read(ref entry.Deadline);
        if (deadline == Removed)
        {
            return TimeSpan.Zero;
        }

        var now = _timeProvider.GetTimestamp();
        if (deadline <= now)
        {
            TryRemove(scope, entry, deadline);
            return TimeSpan.Zero;
        }

        return ToTimeSpanCeiling(deadline - now);
    }

    /// <summary>Pauses <paramref name="scope"/> until at least now + <paramref name="duration"/>.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="duration">How long; must not be negative. <see cref="TimeSpan.Zero"/> changes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    /// <remarks>
    /// The deadline is merged with the current one by <c>max</c>: a shorter pause never shortens a longer one.
    /// A duration so long that the deadline would overflow the clock pauses the scope for as long as the clock can
    /// represent (hundreds of years).
    /// </remarks>
    public void Pause(string scope, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "The pause duration must be zero or positive.");
        }

        if (duration == TimeSpan.Zero)
        {
            return;
        }

        var now = _timeProvider.GetTimestamp();
        var deadline = AddSaturating(now, ToTimestampTicks(duration));
        var moved = false;
        while (true)
        {
            if (!_scopes.TryGetValue(scope, out var entry))
            {
                if (_scopes.TryAdd(scope, new Entry(deadline)))
                {
                    moved = true;
                    break;
                }

                continue;
            }

            var current = Volatile.Read(ref entry.Deadline);
            if (current == Removed)
            {
                // Being swept: make sure the dead entry is gone, then add a fresh one.
                _scopes.TryRemove(new KeyValuePair<string, Entry>(scope, entry));
                continue;
            }

            if (current >= deadline)
            {
                break;
            }

            if (Interlocked.CompareExchange(ref entry.Deadline, deadline, current) == current)
            {
                moved = true;
                break;
            }
        }

        if (moved)
        {
            RetryMetrics.RecordGatePause(scope, duration);
            Paused?.Invoke(this, new FloodGatePausedEventArgs(scope, duration, _timeProvider.GetUtcNow() + duration));
        }

        if (Interlocked.Increment(ref _pausesSinceSweep) >= SweepInterval)
        {
            Volatile.Write(ref _pausesSinceSweep, 0);
            Sweep(now);
        }
    }

    /// <inheritdoc />
    public ValueTask PauseAsync(string scope, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Pause(scope, duration);
        return default;
    }

    /// <inheritdoc />
    public ValueTask<TimeSpan> GetRemainingPauseAsync(string scope, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<TimeSpan>(GetRemainingPause(scope));
    }

    /// <summary>Completes when <paramref name="scope"/> is open; at once (without allocating) when it is not paused.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the scope's deadline has passed.</returns>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <remarks>
    /// Waits with <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> and re-checks the deadline after
    /// every delay: if another caller moved it later meanwhile, the wait continues until the new deadline.
    /// </remarks>
    public ValueTask WaitAsync(string scope, CancellationToken cancellationToken = default)
    {
        var remaining = GetRemainingPause(scope);
        if (remaining == TimeSpan.Zero)
        {
            return default;
        }

        return WaitSlowAsync(scope, remaining, cancellationToken);
    }

    private async ValueTask WaitSlowAsync(string scope, TimeSpan remaining, CancellationToken cancellationToken)
    {
        while (remaining > TimeSpan.Zero)
        {
            await Task.Delay(PreciseDelay.RoundForClock(remaining), _timeProvider, cancellationToken).ConfigureAwait(false);
            remaining = GetRemainingPause(scope);
        }
    }

    private void Sweep(long now)
    {
        foreach (var pair in _scopes)
        {
            var deadline = Volatile.Read(ref pair.Value.Deadline);
            if (deadline != Removed && deadline <= now)
            {
                TryRemove(pair.Key, pair.Value, deadline);
            }
        }
    }

    private void TryRemove(string scope, Entry entry, long expectedDeadline)
    {
        // Tombstone first so a concurrent Pause that extends this entry is never lost: it either wins the CAS
        // (and the entry stays) or sees the tombstone and adds a fresh entry.
        if (Interlocked.CompareExchange(ref entry.Deadline, Removed, expectedDeadline) == expectedDeadline)
        {
            _scopes.TryRemove(new KeyValuePair<string, Entry>(scope, entry));
        }
    }

    private long ToTimestampTicks(TimeSpan duration)
    {
        var frequency = _timeProvider.TimestampFrequency;
        if (frequency == TimeSpan.TicksPerSecond)
        {
            return duration.Ticks;
        }

        // Round up so the deadline is never earlier than requested.
        var value = Math.Ceiling(duration.Ticks * (double)frequency / TimeSpan.TicksPerSecond);
        return value >= long.MaxValue ? long.MaxValue : (long)value;
    }

    private TimeSpan ToTimeSpanCeiling(long timestampTicks)
    {
        var frequency = _timeProvider.TimestampFrequency;
        if (frequency == TimeSpan.TicksPerSecond)
        {
            return TimeSpan.FromTicks(timestampTicks);
        }

        var ticks = Math.Ceiling(timestampTicks * (double)TimeSpan.TicksPerSecond / frequency);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    private static long AddSaturating(long a, long b)
    {
        var sum = unchecked(a + b);
        return sum < a ? long.MaxValue : sum;
    }

    private sealed class Entry(long deadline)
    {
        public long Deadline = deadline;
    }
}
