using BotResilience.RateLimiting;
using BotResilience.Telegram.Wire;

namespace BotResilience.Telegram.Outgoing;

/// <summary>
/// Hands out send turns for one bot. A request first waits for its chat: only the head of a chat's FIFO queue whose
/// per-chat budget and chat pause allow it right now is a candidate, so a chat waiting for its own budget never holds
/// anyone else up. Candidates compete for the bot-wide budget in two lanes: every ready interactive chat is served
/// before any bulk chat, and chats within a lane take turns round-robin. Both budgets are consumed in the same
/// instant the turn is granted, so what the limiters admit is exactly what is sent.
/// </summary>
internal sealed class SendScheduler : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ChatQueue> _chats = new(StringComparer.Ordinal);
    private readonly LinkedList<ChatQueue>[] _ready = [new(), new()];
    private readonly PriorityQueue<ChatQueue, long> _sleeping = new();
    private readonly IRateLimiter _global;
    private readonly IRateLimiter _paid;
    private readonly Func<string, BotApiChatKind, RateLimitDecision> _chatBudget;
    private readonly Func<string, TimeSpan> _pause;
    private readonly string _botScope;
    private readonly string _chatScopePrefix;
    private readonly TimeProvider _time;
    private readonly int _queueLimit;
    private readonly CancellationTokenSource _stop = new();
    private readonly int[] _laneCounts = new int[2];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _runLoop;
    private Task? _loop;
    private int _count;

    public SendScheduler(
        IRateLimiter global,
        IRateLimiter paid,
        Func<string, BotApiChatKind, RateLimitDecision> chatBudget,
        Func<string, TimeSpan> pause,
        string botId,
        int queueLimit,
        TimeProvider time,
        bool runLoop = true)
    {
        _runLoop = runLoop;
        _global = global;
        _paid = paid;
        _chatBudget = chatBudget;
        _pause = pause;
        _botScope = BotScope(botId);
        _chatScopePrefix = "chat:" + botId + ":";
        _queueLimit = queueLimit;
        _time = time;
    }

    /// <summary>Number of requests waiting for a turn.</summary>
    public int QueueLength => Volatile.Read(ref _count);

    /// <summary>Requests waiting in <paramref name="lane"/>.</summary>
    public int LaneLength(BotApiRequestPriority lane) => Volatile.Read(ref _laneCounts[(int)lane]);

    /// <summary>Chats with waiting requests (idle chats hold no state here).</summary>
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

    public static string BotScope(string botId) => "bot:" + botId;

    public string ChatScope(string chatKey) => _chatScopePrefix + chatKey;

    /// <summary>Waits until the request may be sent; both budgets are already consumed when this completes.</summary>
    public Task WaitTurnAsync(string chatKey, BotApiChatKind kind, BotApiRequestPriority lane, bool paid, bool retryFirst, CancellationToken cancellationToken)
    {
        var item = new Item(this, lane, paid);
        lock (_lock)
        {
            if (_count >= _queueLimit)
            {
                throw new BotApiQueueFullException(_queueLimit);
            }

            if (!_chats.TryGetValue(chatKey, out var chat))
            {
                chat = new ChatQueue(chatKey, kind);
                _chats[chatKey] = chat;
            }

            item.Chat = chat;
            var wasEmpty = chat.Items.Count == 0;
            item.Node = retryFirst ? chat.Items.AddFirst(item) : chat.Items.AddLast(item);
            _count++;
            _laneCounts[(int)lane]++;
            TelegramMetrics.QueueChanged(lane, +1);
            if (wasEmpty)
            {
                MakeReady(chat);
            }
            else if (retryFirst && chat.ReadyNode is not null && chat.ReadyLane != lane)
            {
                Unready(chat);
                MakeReady(chat);
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            item.Registration = cancellationToken.UnsafeRegister(static (s, ct) => ((Item)s!).Cancel(ct), item);
        }

        EnsureLoop();
        Wake();
        return item.Completion.Task;
    }

    /// <summary>
    /// Grants as many turns as the budgets allow right now and returns the time until something may change
    /// (<see cref="Timeout.InfiniteTimeSpan"/> when nothing waits). Used by the loop and directly by unit tests.
    /// </summary>
    public TimeSpan Pump()
    {
        List<Item>? granted = null;
        TimeSpan wait;
        lock (_lock)
        {
            wait = PumpLocked(ref granted);
        }

        if (granted is not null)
        {
            foreach (var item in granted)
            {
                item.Registration.Dispose();
                item.Completion.TrySetResult();
            }
        }

        return wait;
    }

    private TimeSpan PumpLocked(ref List<Item>? granted)
    {
        while (true)
        {
            var now = _time.GetTimestamp();
            while (_sleeping.TryPeek(out var sleeper, out var due) && due <= now)
            {
                _sleeping.Dequeue();
                if (sleeper.SleepingUntil == due && sleeper.Items.Count > 0)
                {
                    sleeper.SleepingUntil = 0;
                    MakeReady(sleeper);
                }
            }

            if (_count == 0)
            {
                return Timeout.InfiniteTimeSpan;
            }

            var botPause = _pause(_botScope);
            if (botPause > TimeSpan.Zero)
            {
                return botPause;
            }

            var candidate = FirstReady();
            if (candidate is null)
            {
                return NextWake(now);
            }

            var paid = candidate.Items.First!.Value.Paid;
            var decision = _paid.TryAcquire();
            if (decision.IsGranted && !paid)
            {
                // Ordinary sends count in both budgets; if the normal one refuses, the paid permit is lost (only slower).
                decision = _global.TryAcquire();
            }

            if (!decision.IsGranted)
            {
                return Min(decision.RetryAfter, NextWake(now));
            }

            // We hold one bot-wide permit: give it to the first ready chat (priority, round-robin) whose chat budget grants.
            var used = false;
            for (var lane = 0; lane < 2 && !used; lane++)
            {
                var node = _ready[lane].First;
                while (node is not null)
                {
                    var chat = node.Value;
                    node = node.Next;
                    var head = chat.Items.First!.Value;
                    if (head.Paid != paid)
                    {
                        continue;
                    }

                    var chatPause = _pause(_chatScopePrefix + chat.Key);
                    if (chatPause > TimeSpan.Zero)
                    {
                        Sleep(chat, now, chatPause);
                        continue;
                    }

                    var chatDecision = _chatBudget(chat.Key, chat.Kind);
                    if (!chatDecision.IsGranted)
                    {
                        Sleep(chat, now, chatDecision.RetryAfter);
                        continue;
                    }

                    Dequeue(head);
                    (granted ??= []).Add(head);
                    used = true;
                    if (chat.Items.Count > 0)
                    {
                        MakeReady(chat); // back of its lane: round-robin
                    }

                    break;
                }
            }

            if (!used && FirstReady() is null)
            {
                // The permit found no taker (the candidates' chat budgets were not ready); it is lost, which only
                // makes us slower, never faster, than the limit.
                return NextWake(now);
            }
        }
    }

    private ChatQueue? FirstReady() => _ready[0].First?.Value ?? _ready[1].First?.Value;

    private TimeSpan NextWake(long now)
    {
        if (_sleeping.TryPeek(out _, out var due))
        {
            var ticks = due - now;
            return ticks <= 0 ? TimeSpan.Zero : _time.GetElapsedTime(now, due);
        }

        return _ready[0].Count + _ready[1].Count > 0 ? TimeSpan.Zero : Timeout.InfiniteTimeSpan;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => b == Timeout.InfiniteTimeSpan || a < b ? a : b;

    private void Sleep(ChatQueue chat, long now, TimeSpan duration)
    {
        Unready(chat);
        var due = now + (long)Math.Ceiling(duration.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        chat.SleepingUntil = due;
        _sleeping.Enqueue(chat, due);
    }

    private void MakeReady(ChatQueue chat)
    {
        Unready(chat);
        chat.SleepingUntil = 0;
        var lane = (int)chat.Items.First!.Value.Lane;
        chat.ReadyLane = (BotApiRequestPriority)lane;
        chat.ReadyNode = _ready[lane].AddLast(chat);
    }

    private void Unready(ChatQueue chat)
    {
        if (chat.ReadyNode is not null)
        {
            _ready[(int)chat.ReadyLane].Remove(chat.ReadyNode);
            chat.ReadyNode = null;
        }
    }

    private void Dequeue(Item item)
    {
        var chat = item.Chat!;
        chat.Items.Remove(item.Node!);
        _count--;
        _laneCounts[(int)item.Lane]--;
        TelegramMetrics.QueueChanged(item.Lane, -1);
        if (chat.Items.Count == 0)
        {
            Unready(chat);
            chat.SleepingUntil = 0;
            _chats.Remove(chat.Key);
        }
        else if (chat.ReadyNode is not null && chat.ReadyLane != chat.Items.First!.Value.Lane)
        {
            MakeReady(chat);
        }
    }

    private void Remove(Item item, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (item.Completion.Task.IsCompleted || item.Node?.List is null)
            {
                return;
            }

            Dequeue(item);
        }

        item.Completion.TrySetCanceled(cancellationToken);
        Wake();
    }

    private void Wake()
    {
        var wake = Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        wake.TrySetResult();
    }

    private void EnsureLoop()
    {
        if (_runLoop && Volatile.Read(ref _loop) is null)
        {
            var task = new Task<Task>(RunAsync);
            if (Interlocked.CompareExchange(ref _loop, task.Unwrap(), null) is null)
            {
                task.Start(TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _wake).Task;
            TimeSpan wait;
            try
            {
                wait = Pump();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A limiter threw: fail the waiters rather than leave them hanging.
                FailAll(ex);
                continue;
            }

            if (wait == TimeSpan.Zero)
            {
                continue;
            }

            try
            {
                if (wait == Timeout.InfiniteTimeSpan)
                {
                    await wake.WaitAsync(token).ConfigureAwait(false);
                }
                else
                {
                    await wake.WaitAsync(wait, _time, token).ConfigureAwait(false);
                }
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void FailAll(Exception ex)
    {
        List<Item> all;
        lock (_lock)
        {
            all = _chats.Values.SelectMany(c => c.Items).ToList();
            foreach (var item in all)
            {
                Dequeue(item);
            }
        }

        foreach (var item in all)
        {
            item.Completion.TrySetException(ex);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        FailAll(new ObjectDisposedException(nameof(BotApiResilienceHandler)));
        _stop.Dispose();
    }

    private sealed class ChatQueue(string key, BotApiChatKind kind)
    {
        public string Key { get; } = key;

        public BotApiChatKind Kind { get; } = kind;

        public LinkedList<Item> Items { get; } = new();

        public LinkedListNode<ChatQueue>? ReadyNode { get; set; }

        public BotApiRequestPriority ReadyLane { get; set; }

        public long SleepingUntil { get; set; }
    }

    private sealed class Item(SendScheduler owner, BotApiRequestPriority lane, bool paid)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public BotApiRequestPriority Lane { get; } = lane;

        public bool Paid { get; } = paid;

        public ChatQueue? Chat { get; set; }

        public LinkedListNode<Item>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel(CancellationToken cancellationToken) => owner.Remove(this, cancellationToken);
    }
}
