namespace BotResilience.Concurrency;

/// <summary>
/// Limits how many operations run at once (<see cref="PriorityBulkheadOptions.MaxConcurrency"/>), with a bounded
/// waiting queue ordered by priority (lower number first) and then by arrival. A full queue rejects at once so the
/// caller can answer "overloaded, try later".
/// </summary>
/// <remarks>
/// <para>
/// A released slot goes straight to the first waiter (no barging): while anyone waits, no slot is free, so
/// <see cref="TryAcquire"/> fails and <see cref="AcquireAsync"/> queues. Waiters of a lower priority wait as long
/// as higher-priority callers keep arriving (strict priority, no aging).
/// </para>
/// <para>
/// Acquiring a free slot allocates nothing. Cancelling a waiting caller removes it from the queue; a cancellation
/// that races a grant either cancels the wait (the slot goes to the next waiter) or delivers the lease, never
/// both and never neither, so no slot leaks.
/// </para>
/// </remarks>
public sealed class PriorityBulkhead
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly long[] _slotVersions; // odd = in use, even = free
    private readonly int[] _freeSlots;
    private readonly SortedList<int, WaiterList> _queues = []; // few distinct priorities: O(1) access to the first
    private int _freeCount;
    private int _queueLength;

    /// <summary>Creates a bulkhead.</summary>
    /// <param name="options">The options; validated here and copied.</param>
    /// <param name="timeProvider">The clock used to measure wait times; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its documented range.</exception>
    /// <exception cref="ArgumentException"><see cref="PriorityBulkheadOptions.Name"/> is empty.</exception>
    public PriorityBulkhead(PriorityBulkheadOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = options.Name;
        MaxConcurrency = options.MaxConcurrency;
        QueueLimit = options.QueueLimit;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _slotVersions = new long[MaxConcurrency];
        _freeSlots = new int[MaxConcurrency];
        for (var i = 0; i < MaxConcurrency; i++)
        {
            _freeSlots[i] = MaxConcurrency - 1 - i; // slot 0 on top of the stack
        }

        _freeCount = MaxConcurrency;
        BulkheadMetrics.Track(this);
    }

    /// <summary>The name of the bulkhead.</summary>
    public string Name { get; }

    /// <summary>The maximum number of concurrent operations.</summary>
    public int MaxConcurrency { get; }

    /// <summary>The maximum number of waiting callers.</summary>
    public int QueueLimit { get; }

    /// <summary>The number of slots currently held.</summary>
    public int CurrentCount => MaxConcurrency - Volatile.Read(ref _freeCount);

    /// <summary>The number of callers currently waiting.</summary>
    public int QueueLength => Volatile.Read(ref _queueLength);

    /// <summary>Takes a slot if one is free; never waits and never queues.</summary>
    /// <param name="priority">The caller's priority (lower number = higher priority). A free slot exists only when nobody waits, so it does not change the outcome; kept for symmetry and telemetry.</param>
    /// <param name="lease">The lease to dispose when the operation ends; <c>default</c> when not acquired.</param>
    /// <returns><see langword="true"/> when a slot was taken.</returns>
    public bool TryAcquire(int priority, out BulkheadLease lease)
    {
        var granted = false;
        lease = default;
        lock (_lock)
        {
            if (_freeCount > 0)
            {
                lease = GrantFreeSlotLocked();
                granted = true;
            }
        }

        if (granted)
        {
            BulkheadMetrics.RecordWait(Name, priority, TimeSpan.Zero);
        }
        else
        {
            BulkheadMetrics.RecordRejection(Name, priority, queued: false);
        }

        return granted;
    }

    /// <summary>
    /// Takes a slot, waiting in the priority queue when none is free. Completes synchronously, without
    /// allocating, when a slot is free.
    /// </summary>
    /// <param name="priority">Lower number = served first; equal priorities are served in arrival order.</param>
    /// <param name="cancellationToken">Cancels the wait (the caller leaves the queue).</param>
    /// <returns>The lease; dispose it when the operation ends.</returns>
    /// <exception cref="BulkheadRejectedException">Every slot is taken and the queue is full (returned as a faulted task).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a slot was granted.</exception>
    public ValueTask<BulkheadLease> AcquireAsync(int priority = 0, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<BulkheadLease>(cancellationToken);
        }

        Waiter? waiter = null;
        BulkheadLease lease = default;
        var granted = false;
        int queueLength;
        lock (_lock)
        {
            queueLength = _queueLength;
            if (_freeCount > 0)
            {
                lease = GrantFreeSlotLocked();
                granted = true;
            }
            else if (queueLength < QueueLimit)
            {
                waiter = new Waiter(this, priority, _timeProvider.GetTimestamp());
                EnqueueLocked(waiter);
            }
        }

        if (granted)
        {
            BulkheadMetrics.RecordWait(Name, priority, TimeSpan.Zero);
            return new ValueTask<BulkheadLease>(lease);
        }

        if (waiter is null)
        {
            BulkheadMetrics.RecordRejection(Name, priority, queued: true);
            return ValueTask.FromException<BulkheadLease>(new BulkheadRejectedException(Name, queueLength));
        }

        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>Runs <paramref name="callback"/> while holding a slot (see <see cref="AcquireAsync"/>).</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">State passed to the callback (lets callers use static lambdas).</typeparam>
    /// <param name="callback">The operation.</param>
    /// <param name="state">State passed to <paramref name="callback"/>.</param>
    /// <param name="priority">Lower number = served first.</param>
    /// <param name="cancellationToken">Cancels the wait and is passed to <paramref name="callback"/>.</param>
    /// <returns>The callback's result.</returns>
    /// <exception cref="BulkheadRejectedException">Every slot is taken and the queue is full.</exception>
    public async ValueTask<TResult> ExecuteAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback,
        TState state,
        int priority = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        using var lease = await AcquireAsync(priority, cancellationToken).ConfigureAwait(false);
        return await callback(state, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"PriorityBulkhead '{Name}' ({CurrentCount}/{MaxConcurrency} in use, {QueueLength}/{QueueLimit} waiting)";

    internal bool IsLeaseActive(int slot, long version) => Volatile.Read(ref _slotVersions[slot]) == version;

    internal void Release(int slot, long version)
    {
        Waiter? next;
        long nextVersion;
        lock (_lock)
        {
            if (_slotVersions[slot] != version)
            {
                return; // already released (double dispose of the lease or of a copy)
            }

            next = DequeueLocked();
            if (next is null)
            {
                Volatile.Write(ref _slotVersions[slot], version + 1);
                _freeSlots[_freeCount] = slot;
                Volatile.Write(ref _freeCount, _freeCount + 1);
                return;
            }

            nextVersion = version + 2; // stays in use, handed over
            Volatile.Write(ref _slotVersions[slot], nextVersion);
        }

        BulkheadMetrics.RecordWait(Name, next.Priority, _timeProvider.GetElapsedTime(next.EnqueuedAt));
        next.TrySetResult(new BulkheadLease(this, slot, nextVersion));
    }

    private static async ValueTask<BulkheadLease> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await waiter.Task.ConfigureAwait(false);
        }

        using (cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    private BulkheadLease GrantFreeSlotLocked()
    {
        var slot = _freeSlots[_freeCount - 1];
        Volatile.Write(ref _freeCount, _freeCount - 1);
        var version = _slotVersions[slot] + 1;
        Volatile.Write(ref _slotVersions[slot], version);
        return new BulkheadLease(this, slot, version);
    }

    private void EnqueueLocked(Waiter waiter)
    {
        if (!_queues.TryGetValue(waiter.Priority, out var list))
        {
            list = new WaiterList();
            _queues.Add(waiter.Priority, list);
        }

        list.Append(waiter);
        waiter.Queued = true;
        Volatile.Write(ref _queueLength, _queueLength + 1);
    }

    private Waiter? DequeueLocked()
    {
        if (_queueLength == 0)
        {
            return null;
        }

        var list = _queues.Values[0];
        var waiter = list.Head!;
        RemoveLocked(waiter, list, _queues.Keys[0]);
        return waiter;
    }

    private void RemoveLocked(Waiter waiter, WaiterList list, int priority)
    {
        list.Remove(waiter);
        waiter.Queued = false;
        Volatile.Write(ref _queueLength, _queueLength - 1);
        if (list.Head is null)
        {
            _queues.Remove(priority);
        }
    }

    private void CancelWaiter(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!waiter.Queued)
            {
                return; // already granted: the caller gets the lease
            }

            RemoveLocked(waiter, _queues[waiter.Priority], waiter.Priority);
        }

        waiter.TrySetCanceled(cancellationToken);
    }

    private sealed class Waiter : TaskCompletionSource<BulkheadLease>
    {
        public Waiter(PriorityBulkhead owner, int priority, long enqueuedAt)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Owner = owner;
            Priority = priority;
            EnqueuedAt = enqueuedAt;
        }

        public PriorityBulkhead Owner { get; }

        public int Priority { get; }

        public long EnqueuedAt { get; }

        public bool Queued { get; set; }

        public Waiter? Previous { get; set; }

        public Waiter? Next { get; set; }

        public void Cancel(CancellationToken cancellationToken) => Owner.CancelWaiter(this, cancellationToken);
    }

    private sealed class WaiterList
    {
        public Waiter? Head { get; private set; }

        private Waiter? Tail { get; set; }

        public void Append(Waiter waiter)
        {
            waiter.Previous = Tail;
            waiter.Next = null;
            if (Tail is null)
            {
                Head = waiter;
            }
            else
            {
                Tail.Next = waiter;
            }

            Tail = waiter;
        }

        public void Remove(Waiter waiter)
        {
            if (waiter.Previous is null)
            {
                Head = waiter.Next;
            }
            else
            {
                waiter.Previous.Next = waiter.Next;
            }

            if (waiter.Next is null)
            {
                Tail = waiter.Previous;
            }
            else
            {
                waiter.Next.Previous = waiter.Previous;
            }

            waiter.Previous = null;
            waiter.Next = null;
        }
    }
}
