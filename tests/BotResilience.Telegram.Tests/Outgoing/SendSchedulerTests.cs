using BotResilience.RateLimiting;
using BotResilience.Telegram.Outgoing;
using BotResilience.Telegram.Wire;
using BotResilience.Testing;

namespace BotResilience.Telegram.Tests.Outgoing;

public sealed class SendSchedulerTests
{
    private static (SendScheduler Scheduler, ManualTimeProvider Time) Create(int global = 30, TimeSpan? chatPeriod = null, int burst = 1)
    {
        var time = new ManualTimeProvider();
        var g = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = global, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 }, time);
        var paid = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 1000, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 }, time);
        var bucket = new TokenBucketLimiterOptions { TokenLimit = burst, TokensPerPeriod = 1, ReplenishmentPeriod = chatPeriod ?? TimeSpan.FromSeconds(1), QueueLimit = 0 };
        var chats = new KeyedLimiterMap<string>(() => new TokenBucketLimiter(bucket, time), TimeSpan.FromSeconds(10), time);
        var scheduler = new SendScheduler(g, paid, (key, kind) => kind == BotApiChatKind.None ? RateLimitDecision.Granted : chats.TryAcquire(key), _ => TimeSpan.Zero, "1", 100_000, time, runLoop: false);
        return (scheduler, time);
    }

    [Fact]
    public void Interactive_reply_overtakes_a_queued_broadcast_within_one_slot()
    {
        var (scheduler, time) = Create(global: 30);
        var bulk = new List<Task>();
        for (var i = 0; i < 2000; i++)
        {
            bulk.Add(scheduler.WaitTurnAsync((1000 + (i % 500)).ToString(System.Globalization.CultureInfo.InvariantCulture), BotApiChatKind.Private, BotApiRequestPriority.Bulk, false, false, default));
        }

        scheduler.Pump();
        Assert.Equal(30, bulk.Count(t => t.IsCompleted)); // the first global window is used up by the broadcast
        var reply = scheduler.WaitTurnAsync("42", BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, default);
        scheduler.Pump();
        Assert.False(reply.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        scheduler.Pump();
        Assert.True(reply.IsCompleted); // the very next global slot
        Assert.Equal(59, bulk.Count(t => t.IsCompleted));
    }

    [Fact]
    public void A_chat_waiting_for_its_own_budget_does_not_hold_other_chats()
    {
        var (scheduler, time) = Create(global: 30, chatPeriod: TimeSpan.FromSeconds(1), burst: 1);
        var busy = Enumerable.Range(0, 10).Select(_ => scheduler.WaitTurnAsync("7", BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, default)).ToList();
        var others = Enumerable.Range(0, 20).Select(i => scheduler.WaitTurnAsync("9" + i, BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, default)).ToList();
        scheduler.Pump();
        Assert.Equal(1, busy.Count(t => t.IsCompleted));
        Assert.All(others, t => Assert.True(t.IsCompleted));
        time.Advance(TimeSpan.FromSeconds(1));
        scheduler.Pump();
        Assert.Equal(2, busy.Count(t => t.IsCompleted));
    }

    [Fact]
    public void Bulk_chats_take_turns_round_robin()
    {
        var (scheduler, _) = Create(global: 4, chatPeriod: TimeSpan.FromMilliseconds(1), burst: 100);
        var a = Enumerable.Range(0, 10).Select(_ => scheduler.WaitTurnAsync("1", BotApiChatKind.Private, BotApiRequestPriority.Bulk, false, false, default)).ToList();
        var b = Enumerable.Range(0, 10).Select(_ => scheduler.WaitTurnAsync("2", BotApiChatKind.Private, BotApiRequestPriority.Bulk, false, false, default)).ToList();
        scheduler.Pump();
        Assert.Equal(2, a.Count(t => t.IsCompleted));
        Assert.Equal(2, b.Count(t => t.IsCompleted));
        Assert.True(a[0].IsCompleted && a[1].IsCompleted && !a[2].IsCompleted); // per chat FIFO
    }

    [Fact]
    public void Never_grants_more_than_the_global_limit_in_any_window_and_loses_nothing()
    {
        var (scheduler, time) = Create(global: 5, chatPeriod: TimeSpan.FromMilliseconds(300), burst: 2);
        var random = new Random(7);
        var tasks = new List<Task>();
        var grants = new List<long>();
        for (var step = 0; step < 400; step++)
        {
            var n = random.Next(0, 3);
            for (var i = 0; i < n; i++)
            {
                var lane = random.Next(2) == 0 ? BotApiRequestPriority.Bulk : BotApiRequestPriority.Interactive;
                tasks.Add(scheduler.WaitTurnAsync(random.Next(0, 6).ToString(System.Globalization.CultureInfo.InvariantCulture), BotApiChatKind.Private, lane, false, false, default));
            }

            var before = tasks.Count(t => t.IsCompleted);
            scheduler.Pump();
            var after = tasks.Count(t => t.IsCompleted);
            for (var i = before; i < after; i++)
            {
                grants.Add(time.GetTimestamp());
            }

            time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 120)));
        }

        for (var i = 0; i < 1000; i++)
        {
            var before = tasks.Count(t => t.IsCompleted);
            scheduler.Pump();
            for (var j = before; j < tasks.Count(t => t.IsCompleted); j++)
            {
                grants.Add(time.GetTimestamp());
            }

            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(0, scheduler.QueueLength);
        Assert.Equal(0, scheduler.ActiveChatCount);
        for (var i = 5; i < grants.Count; i++)
        {
            Assert.True(grants[i] - grants[i - 5] >= TimeSpan.FromSeconds(1).Ticks, "six grants within one window");
        }
    }

    [Fact]
    public void Cancelled_waiters_leave_the_queue()
    {
        var (scheduler, _) = Create(global: 1);
        using var cts = new CancellationTokenSource();
        var first = scheduler.WaitTurnAsync("1", BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, default);
        var second = scheduler.WaitTurnAsync("2", BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, cts.Token);
        scheduler.Pump();
        Assert.True(first.IsCompleted);
        cts.Cancel();
        Assert.True(second.IsCanceled);
        Assert.Equal(0, scheduler.QueueLength);
    }

    [Fact]
    public void Queue_limit_is_enforced()
    {
        var time = new ManualTimeProvider();
        var g = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 }, time);
        var scheduler = new SendScheduler(g, g, (_, _) => RateLimitDecision.Granted, _ => TimeSpan.Zero, "1", 2, time, runLoop: false);
        _ = scheduler.WaitTurnAsync("1", BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, default);
        _ = scheduler.WaitTurnAsync("1", BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, default);
        Assert.Throws<BotApiQueueFullException>(() => { _ = scheduler.WaitTurnAsync("1", BotApiChatKind.Private, BotApiRequestPriority.Interactive, false, false, default); });
    }

    [Fact]
    public void Options_are_validated_with_the_option_name()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiResilienceHandler(new BotApiResilienceOptions { GlobalLimit = 0 }));
        Assert.Equal("GlobalLimit", ex.ParamName);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiResilienceHandler(new BotApiResilienceOptions { RetryDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromSeconds(1) }));
        Assert.Equal("RetryMaxDelay", ex.ParamName);
    }
}
