using BotResilience.Telegram.Redaction;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.Telegram.Dispatching;

/// <summary>
/// Feeds updates (from a webhook or long polling, of any client library's type) to a handler: different chats
/// concurrently up to <see cref="UpdateDispatcherOptions.MaxConcurrency"/>, the same chat strictly in order; a bounded
/// queue with backpressure; a per-handler timeout; duplicate <c>update_id</c>s dropped with bounded memory; a per-user
/// anti-spam limit whose hook runs once per window per user. Handler exceptions are caught, logged, counted and
/// raised as <see cref="HandlerFaulted"/>; none goes unobserved.
/// </summary>
/// <remarks>
/// Chats hold state only while they have queued or running updates. Updates with neither a chat nor a user are handled
/// without ordering. A handler that ignores its cancelled token after a timeout keeps running detached (its outcome is
/// still observed), and the next update of its chat starts: one stuck handler never stalls a chat.
/// </remarks>
/// <typeparam name="TUpdate">The update type.</typeparam>
public sealed partial class UpdateDispatcher<TUpdate> : IAsyncDisposable
{
    private readonly Func<TUpdate, CancellationToken, ValueTask> _handler;
    private readonly Func<TUpdate, long?> _updateId;
    private readonly Func<TUpdate, long?> _chat;
    private readonly Func<TUpdate, long?> _user;
    private readonly UpdateDispatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<long, ChatQueue> _chats = [];
    private readonly Queue<ChatQueue> _ready = new();
    private readonly Queue<TaskCompletionSource<bool>> _spaceWaiters = new();
    private readonly RecentIdSet _recent;
    private readonly UserRateLimiter? _users;
    private readonly CancellationTokenSource _cancelAll = new();
    private TaskCompletionSource _idle = NewIdle(completed: true);
    private int _queued;
    private int _running;
    private int _workers;
    private bool _stopping;
    private long _handled;
    private long _failed;
    private long _timedOut;
    private long _duplicates;
    private long _throttled;

    /// <summary>Creates a dispatcher.</summary>
    /// <param name="handler">Handles one update; its token is cancelled on timeout or on a non-draining stop.</param>
    /// <param name="updateIdSelector">The update's <c>update_id</c> (for deduplication), or <see langword="null"/>.</param>
    /// <param name="chatSelector">The chat whose updates must be handled in order, or <see langword="null"/> (then the user is the ordering key).</param>
    /// <param name="userSelector">The user (for the anti-spam limit), or <see langword="null"/>.</param>
    /// <param name="options">Options (copied and validated); <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where faults are logged; none by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public UpdateDispatcher(
        Func<TUpdate, CancellationToken, ValueTask> handler,
        Func<TUpdate, long?> updateIdSelector,
        Func<TUpdate, long?> chatSelector,
        Func<TUpdate, long?> userSelector,
        UpdateDispatcherOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(updateIdSelector);
        ArgumentNullException.ThrowIfNull(chatSelector);
        ArgumentNullException.ThrowIfNull(userSelector);
        _options = (options ?? new UpdateDispatcherOptions()).Clone();
        _options.Validate();
        _handler = handler;
        _updateId = updateIdSelector;
        _chat = chatSelector;
        _user = userSelector;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _recent = new RecentIdSet(_options.DeduplicationCapacity);
        _users = _options.UserRateLimit > 0 ? new UserRateLimiter(_options.UserRateLimit, _options.UserRateWindow, _time) : null;
    }

    /// <summary>
    /// Called once per window for a user who exceeded the limit, with the time until they may send again
    /// (answer "too many requests, wait N s"). It runs in the user's chat order, under the handler timeout.
    /// </summary>
    public Func<TUpdate, TimeSpan, CancellationToken, ValueTask>? UserThrottled { get; set; }

    /// <summary>Raised when a handler throws or times out (after it was logged and counted).</summary>
    public event EventHandler<UpdateHandlerFaultEventArgs<TUpdate>>? HandlerFaulted;

    /// <summary>Updates waiting to be handled.</summary>
    public int QueueLength => Volatile.Read(ref _queued);

    /// <summary>Handlers running now.</summary>
    public int RunningCount => Volatile.Read(ref _running);

    /// <summary>Chats with queued or running updates (idle chats hold no state).</summary>
    public int ActiveChatCount
    {
        get
        {
            lock (_lock)
            {
                return _chats.Count;
            }
        }
    }

    /// <summary>Update ids remembered for deduplication (at most <see cref="UpdateDispatcherOptions.DeduplicationCapacity"/>).</summary>
    public int RememberedUpdateIdCount
    {
        get
        {
            lock (_lock)
            {
                return _recent.Count;
            }
        }
    }

    /// <summary>Handlers that completed successfully.</summary>
    public long HandledCount => Interlocked.Read(ref _handled);

    /// <summary>Handlers that threw.</summary>
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>Handlers that timed out.</summary>
    public long TimedOutCount => Interlocked.Read(ref _timedOut);

    /// <summary>Updates dropped as duplicates.</summary>
    public long DuplicateCount => Interlocked.Read(ref _duplicates);

    /// <summary>Updates dropped by the per-user limit.</summary>
    public long UserThrottledCount => Interlocked.Read(ref _throttled);

    /// <summary>Offers an update without waiting.</summary>
    /// <param name="update">The update.</param>
    /// <returns>What happened to it; <see cref="UpdateEnqueueResult.QueueFull"/> when there is no room.</returns>
    public UpdateEnqueueResult TryEnqueue(TUpdate update)
    {
        lock (_lock)
        {
            return AdmitLocked(update, waitForSpace: false);
        }
    }

    /// <summary>Offers an update, waiting while the queue is full (backpressure).</summary>
    /// <param name="update">The update.</param>
    /// <param name="cancellationToken">Cancels the wait for room.</param>
    /// <returns>What happened to it (never <see cref="UpdateEnqueueResult.QueueFull"/>).</returns>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public async ValueTask<UpdateEnqueueResult> EnqueueAsync(TUpdate update, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            TaskCompletionSource<bool> waiter;
            lock (_lock)
            {
                var result = AdmitLocked(update, waitForSpace: true);
                if (result != UpdateEnqueueResult.QueueFull)
                {
                    return result;
                }

                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _spaceWaiters.Enqueue(waiter);
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when nothing is queued or running.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stops accepting updates. With <see cref="UpdateDispatcherOptions.DrainOnStop"/> queued updates still run; otherwise
    /// they are dropped and running handlers are cancelled. Cancelling <paramref name="cancellationToken"/> turns a drain
    /// into a cancel.
    /// </summary>
    /// <param name="cancellationToken">Ends the drain early.</param>
    /// <returns>A task that completes when nothing runs any more.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<bool>[] waiters;
        lock (_lock)
        {
            _stopping = true;
            waiters = [.. _spaceWaiters];
            _spaceWaiters.Clear();
        }

        foreach (var w in waiters)
        {
            w.TrySetResult(false);
        }

        if (!_options.DrainOnStop)
        {
            CancelAll();
        }

        try
        {
            await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            CancelAll();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(new CancellationToken(canceled: !_options.DrainOnStop)).ConfigureAwait(false);
        _cancelAll.Dispose();
        _users?.Dispose();
    }

    private void CancelAll()
    {
        lock (_lock)
        {
            foreach (var chat in _chats.Values)
            {
                _queued -= chat.Items.Count;
                chat.Items.Clear();
            }

            foreach (var chat in _ready)
            {
                _queued -= chat.Items.Count;
                chat.Items.Clear();
            }

            _ready.Clear();
            foreach (var key in _chats.Where(c => !c.Value.Running).Select(c => c.Key).ToList())
            {
                _chats.Remove(key);
            }

            CheckIdleLocked();
        }

        _cancelAll.Cancel();
    }

    private UpdateEnqueueResult AdmitLocked(TUpdate update, bool waitForSpace)
    {
        if (_stopping)
        {
            TelegramMetrics.Update("stopped");
            return UpdateEnqueueResult.Stopped;
        }

        var id = _updateId(update);
        if (id is { } known && _recent.Contains(known))
        {
            Interlocked.Increment(ref _duplicates);
            TelegramMetrics.Update("duplicate");
            return UpdateEnqueueResult.Duplicate;
        }

        if (_queued >= _options.QueueLimit)
        {
            if (!waitForSpace)
            {
                TelegramMetrics.Update("queue_full");
            }

            return UpdateEnqueueResult.QueueFull;
        }

        var user = _user(update);
        var chatKey = _chat(update) ?? user;
        if (_users is not null && user is { } u)
        {
            var retryAfter = _users.TryAcquire(u, out var notify);
            if (retryAfter > TimeSpan.Zero)
            {
                if (id is { } i)
                {
                    _recent.Add(i);
                }

                Interlocked.Increment(ref _throttled);
                TelegramMetrics.Update("user_throttled");
                var hook = UserThrottled;
                if (notify && hook is not null)
                {
                    EnqueueLocked(chatKey, new Work(update, id, hook, retryAfter));
                }

                return UpdateEnqueueResult.UserThrottled;
            }
        }

        if (id is { } newId)
        {
            _recent.Add(newId);
        }

        EnqueueLocked(chatKey, new Work(update, id, null, TimeSpan.Zero));
        TelegramMetrics.Update("accepted");
        return UpdateEnqueueResult.Accepted;
    }

    private void EnqueueLocked(long? chatKey, Work work)
    {
        ChatQueue chat;
        if (chatKey is { } key)
        {
            if (!_chats.TryGetValue(key, out chat!))
            {
                chat = new ChatQueue(key);
                _chats[key] = chat;
            }
        }
        else
        {
            chat = new ChatQueue(null);
        }

        chat.Items.Enqueue(work);
        _queued++;
        if (_idle.Task.IsCompleted)
        {
            _idle = NewIdle(completed: false);
        }

        if (!chat.Scheduled)
        {
            chat.Scheduled = true;
            _ready.Enqueue(chat);
        }

        if (_workers < _options.MaxConcurrency && _ready.Count > 0)
        {
            _workers++;
            _ = Task.Run(WorkerLoopAsync);
        }
    }

    private async Task WorkerLoopAsync()
    {
        while (true)
        {
            ChatQueue chat;
            Work work;
            TaskCompletionSource<bool>? space = null;
            lock (_lock)
            {
                if (_ready.Count == 0)
                {
                    _workers--;
                    CheckIdleLocked();
                    return;
                }

                chat = _ready.Dequeue();
                work = chat.Items.Dequeue();
                chat.Running = true;
                _queued--;
                _running++;
                if (_spaceWaiters.Count > 0)
                {
                    space = _spaceWaiters.Dequeue();
                }
            }

            space?.TrySetResult(true);
            await RunAsync(work).ConfigureAwait(false);
            lock (_lock)
            {
                _running--;
                chat.Running = false;
                if (chat.Items.Count > 0)
                {
                    _ready.Enqueue(chat); // back of the line: chats take turns
                }
                else
                {
                    chat.Scheduled = false;
                    if (chat.Key is { } key)
                    {
                        _chats.Remove(key);
                    }
                }
            }
        }
    }

    private async Task RunAsync(Work work)
    {
        var started = _time.GetTimestamp();
        using var timeout = _options.HandlerTimeout == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(_options.HandlerTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _cancelAll.Token);
        Task task;
        try
        {
            task = work.Notice is { } notice
                ? notice(work.Update, work.RetryAfter, linked.Token).AsTask()
                : _handler(work.Update, linked.Token).AsTask();
        }
#pragma warning disable CA1031 // The dispatcher must survive any handler failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            task = Task.FromException(ex);
        }

        try
        {
            await task.WaitAsync(linked.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _handled);
            TelegramMetrics.Update("handled");
            TelegramMetrics.Handled(_time.GetElapsedTime(started), "ok");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var elapsed = _time.GetElapsedTime(started);
            Interlocked.Increment(ref _timedOut);
            TelegramMetrics.Update("timed_out");
            TelegramMetrics.Handled(elapsed, "timed_out");
            ObserveDetached(task);
            LogTimedOut(_logger, work.UpdateId, elapsed.TotalSeconds);
            Raise(new UpdateHandlerFaultEventArgs<TUpdate>(work.Update, work.UpdateId, timedOut: true, elapsed, null));
        }
        catch (OperationCanceledException) when (_cancelAll.IsCancellationRequested)
        {
            ObserveDetached(task);
            TelegramMetrics.Update("cancelled");
        }
#pragma warning disable CA1031 // The dispatcher must survive any handler failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var elapsed = _time.GetElapsedTime(started);
            Interlocked.Increment(ref _failed);
            TelegramMetrics.Update("failed");
            TelegramMetrics.Handled(elapsed, "failed");
            if (_logger.IsEnabled(LogLevel.Error))
            {
                var text = BotTokenRedactor.Redact(ex.ToString());
                LogFailed(_logger, work.UpdateId, text);
            }

            Raise(new UpdateHandlerFaultEventArgs<TUpdate>(work.Update, work.UpdateId, timedOut: false, elapsed, ex));
        }
    }

    private void Raise(UpdateHandlerFaultEventArgs<TUpdate> e)
    {
        try
        {
            HandlerFaulted?.Invoke(this, e);
        }
#pragma warning disable CA1031 // A faulty subscriber must not stop the dispatcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_logger.IsEnabled(LogLevel.Error))
            {
                var text = BotTokenRedactor.Redact(ex.ToString());
                LogFailed(_logger, e.UpdateId, text);
            }
        }
    }

    private static void ObserveDetached(Task task)
    {
        if (!task.IsCompleted)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            _ = task.Exception;
        }
    }

    private void CheckIdleLocked()
    {
        if (_queued == 0 && _running == 0 && _workers == 0)
        {
            _idle.TrySetResult();
        }
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }

        return tcs;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Update {UpdateId}: handler timed out after {ElapsedSeconds} s; moving on")]
    private static partial void LogTimedOut(ILogger logger, long? updateId, double elapsedSeconds);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Update {UpdateId}: handler failed: {Error}")]
    private static partial void LogFailed(ILogger logger, long? updateId, string error);

    private sealed class ChatQueue(long? key)
    {
        public long? Key { get; } = key;

        public Queue<Work> Items { get; } = new();

        public bool Scheduled { get; set; }

        public bool Running { get; set; }
    }

    private readonly record struct Work(TUpdate Update, long? UpdateId, Func<TUpdate, TimeSpan, CancellationToken, ValueTask>? Notice, TimeSpan RetryAfter);
}
