namespace BotResilience.Telegram.Testing.Updates;

/// <summary>
/// Pending updates in <c>update_id</c> order, with Telegram's <c>getUpdates</c> semantics: a call with
/// <c>offset</c> confirms (forgets) every update whose id is below it; a negative offset keeps only the last
/// <c>-offset</c> updates; a newer long poll terminates the older one (409). Thread-safe.
/// </summary>
internal sealed class UpdateQueue
{
    private readonly object _gate = new();
    private readonly List<PendingUpdate> _pending = [];
    private readonly AsyncSignal _changed = new();
    private long _lastId;
    private TaskCompletionSource? _currentPoll;
    private HashSet<string>? _allowedUpdates;

    public enum PollOutcome
    {
        Updates,
        Terminated,
    }

    /// <summary>Completes at the next change (new update, confirmation, delivery).</summary>
    public Task Changed => _changed.Task;

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Sets the update types to deliver (Telegram's <c>allowed_updates</c>, sticky until changed); an empty list
    /// restores the default: every type except <c>chat_member</c>, <c>message_reaction</c> and <c>message_reaction_count</c>.
    /// Updates of other types are dropped when their turn comes.
    /// </summary>
    public void SetAllowedUpdates(IReadOnlyCollection<string> types)
    {
        lock (_gate)
        {
            _allowedUpdates = types.Count == 0 ? null : new HashSet<string>(types, StringComparer.Ordinal);
        }
    }

    public long Enqueue(string type, Func<long, string> build)
    {
        long id;
        lock (_gate)
        {
            id = ++_lastId;
            _pending.Add(new PendingUpdate(id, type, build(id)));
        }

        _changed.Pulse();
        return id;
    }

    public void DropAll()
    {
        lock (_gate)
        {
            _pending.RemoveAll(static u => !u.InFlight);
        }

        _changed.Pulse();
    }

    /// <summary>Ends the running long poll (if any) with 409.</summary>
    public void TerminatePoll()
    {
        TaskCompletionSource? current;
        lock (_gate)
        {
            current = _currentPoll;
        }

        current?.TrySetResult();
    }

    public async Task<(PollOutcome Outcome, List<string> Updates)> PollAsync(
        long offset, int limit, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource? previous;
        lock (_gate)
        {
            previous = _currentPoll;
            _currentPoll = mine;
            Confirm(offset);
        }

        previous?.TrySetResult();
        _changed.Pulse();
        try
        {
            var start = time.GetTimestamp();
            while (true)
            {
                var signal = _changed.Task;
                var batch = new List<string>();
                lock (_gate)
                {
                    DropDisallowed();
                    foreach (var update in _pending)
                    {
                        if (batch.Count == limit)
                        {
                            break;
                        }

                        batch.Add(update.Json);
                    }
                }

                if (mine.Task.IsCompleted)
                {
                    return (PollOutcome.Terminated, []);
                }

                var remaining = timeout - time.GetElapsedTime(start);
                if (batch.Count > 0 || remaining <= TimeSpan.Zero)
                {
                    return (PollOutcome.Updates, batch);
                }

                try
                {
                    await Task.WhenAny(signal, mine.Task).WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Loop once more: answers what arrived meanwhile, or an empty array.
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_currentPoll, mine))
                {
                    _currentPoll = null;
                }
            }
        }
    }

    public PendingUpdate? TryTakeForDelivery()
    {
        lock (_gate)
        {
            DropDisallowed();
            foreach (var update in _pending)
            {
                if (!update.InFlight)
                {
                    update.InFlight = true;
                    return update;
                }
            }
        }

        return null;
    }

    public void CompleteDelivery(PendingUpdate update)
    {
        lock (_gate)
        {
            _pending.Remove(update);
        }

        _changed.Pulse();
    }

    public void ReleaseDelivery(PendingUpdate update)
    {
        lock (_gate)
        {
            update.InFlight = false;
        }

        _changed.Pulse();
    }

    private bool IsAllowed(string type) => _allowedUpdates is { } allowed
        ? allowed.Contains(type)
        : type is not ("chat_member" or "message_reaction" or "message_reaction_count");

    private void DropDisallowed() => _pending.RemoveAll(u => !u.InFlight && !IsAllowed(u.Type));

    private void Confirm(long offset)
    {
        if (offset > 0)
        {
            _pending.RemoveAll(u => u.Id < offset && !u.InFlight);
        }
        else if (offset < 0)
        {
            var keep = offset == long.MinValue ? long.MaxValue : -offset;
            var remove = _pending.Count - (int)Math.Min(keep, _pending.Count);
            if (remove > 0)
            {
                _pending.RemoveRange(0, remove);
            }
        }
    }
}
