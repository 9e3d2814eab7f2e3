using System.Collections.Concurrent;
using BotResilience.Telegram.Dispatching;
using BotResilience.Testing;

namespace BotResilience.Telegram.Tests.Dispatching;

public sealed class DispatcherTests
{
    private sealed record U(long Id, long? Chat, long? User);

    private static UpdateDispatcher<U> Create(Func<U, CancellationToken, ValueTask> handler, UpdateDispatcherOptions? options = null, TimeProvider? time = null)
        => new(handler, u => u.Id, u => u.Chat, u => u.User, options ?? new UpdateDispatcherOptions { UserRateLimit = 0 }, time);

    [Fact]
    public async Task Same_chat_in_order_different_chats_concurrently()
    {
        var order = new ConcurrentDictionary<long, ConcurrentQueue<long>>();
        var running = 0;
        var maxRunning = 0;
        await using var d = Create(async (u, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await Task.Delay(5, ct);
            order.GetOrAdd(u.Chat!.Value, _ => new()).Enqueue(u.Id);
            Interlocked.Decrement(ref running);
        }, new UpdateDispatcherOptions { MaxConcurrency = 4, UserRateLimit = 0 });
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(UpdateEnqueueResult.Accepted, await d.EnqueueAsync(new U(i, i % 8, null)));
        }

        await d.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(200, d.HandledCount);
        foreach (var (_, ids) in order)
        {
            Assert.Equal(ids.OrderBy(x => x), ids);
        }

        Assert.InRange(maxRunning, 2, 4);
        Assert.Equal(0, d.ActiveChatCount);
    }

    [Fact]
    public async Task A_timed_out_handler_is_cancelled_reported_and_the_chat_moves_on()
    {
        var time = new ManualTimeProvider();
        var second = new TaskCompletionSource();
        UpdateHandlerFaultEventArgs<U>? fault = null;
        var tokenCancelled = new TaskCompletionSource();
        await using var d = Create(async (u, ct) =>
        {
            if (u.Id == 1)
            {
                ct.Register(() => tokenCancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
            else
            {
                second.TrySetResult();
            }
        }, new UpdateDispatcherOptions { HandlerTimeout = TimeSpan.FromSeconds(25), UserRateLimit = 0 }, time);
        d.HandlerFaulted += (_, e) => fault = e;
        d.TryEnqueue(new U(1, 7, null));
        d.TryEnqueue(new U(2, 7, null));
        await Task.Delay(50);
        Assert.False(second.Task.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(25));
        await tokenCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await second.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, d.TimedOutCount);
        Assert.NotNull(fault);
        Assert.True(fault.TimedOut);
    }

    [Fact]
    public async Task Duplicates_are_dropped_with_bounded_memory()
    {
        await using var d = Create((_, _) => ValueTask.CompletedTask, new UpdateDispatcherOptions { DeduplicationCapacity = 100, UserRateLimit = 0 });
        Assert.Equal(UpdateEnqueueResult.Accepted, d.TryEnqueue(new U(1, 1, null)));
        Assert.Equal(UpdateEnqueueResult.Duplicate, d.TryEnqueue(new U(1, 1, null)));
        for (var i = 2; i < 5000; i++)
        {
            await d.EnqueueAsync(new U(i, i % 10, null));
        }

        Assert.Equal(100, d.RememberedUpdateIdCount);
        Assert.Equal(UpdateEnqueueResult.Duplicate, d.TryEnqueue(new U(4999, 1, null)));
        Assert.Equal(UpdateEnqueueResult.Accepted, d.TryEnqueue(new U(1, 1, null))); // long forgotten
        await d.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, d.DuplicateCount);
    }

    [Fact]
    public async Task Spammers_are_throttled_and_told_once_per_window()
    {
        var time = new ManualTimeProvider();
        var notices = new ConcurrentQueue<TimeSpan>();
        await using var d = Create((_, _) => ValueTask.CompletedTask, new UpdateDispatcherOptions { UserRateLimit = 10, UserRateWindow = TimeSpan.FromSeconds(60) }, time);
        d.UserThrottled = (_, retryAfter, _) =>
        {
            notices.Enqueue(retryAfter);
            return ValueTask.CompletedTask;
        };
        var results = Enumerable.Range(0, 25).Select(i => d.TryEnqueue(new U(i, 5, 5))).ToList();
        Assert.Equal(10, results.Count(r => r == UpdateEnqueueResult.Accepted));
        Assert.Equal(15, results.Count(r => r == UpdateEnqueueResult.UserThrottled));
        Assert.Equal(UpdateEnqueueResult.Accepted, d.TryEnqueue(new U(100, 6, 6))); // other users unaffected
        await d.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(60), Assert.Single(notices));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(UpdateEnqueueResult.Accepted, d.TryEnqueue(new U(200, 5, 5)));
    }

    [Fact]
    public async Task Exceptions_are_caught_counted_and_reported()
    {
        var faults = 0;
        await using var d = Create((u, _) => u.Id % 2 == 0 ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask);
        d.HandlerFaulted += (_, e) => Interlocked.Increment(ref faults);
        for (var i = 0; i < 10; i++)
        {
            d.TryEnqueue(new U(i, i, null));
        }

        await d.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(5, d.FailedCount);
        Assert.Equal(5, d.HandledCount);
        Assert.Equal(5, faults);
    }

    [Fact]
    public async Task A_full_queue_rejects_TryEnqueue_and_makes_EnqueueAsync_wait()
    {
        var gate = new TaskCompletionSource();
        await using var d = Create(async (_, _) => await gate.Task, new UpdateDispatcherOptions { MaxConcurrency = 1, QueueLimit = 2, UserRateLimit = 0 });
        Assert.Equal(UpdateEnqueueResult.Accepted, d.TryEnqueue(new U(1, 1, null)));
        while (d.RunningCount == 0)
        {
            await Task.Delay(5); // the first is running, not queued
        }

        Assert.Equal(UpdateEnqueueResult.Accepted, d.TryEnqueue(new U(2, 1, null)));
        Assert.Equal(UpdateEnqueueResult.Accepted, d.TryEnqueue(new U(3, 1, null)));
        Assert.Equal(UpdateEnqueueResult.QueueFull, d.TryEnqueue(new U(4, 1, null)));
        var waiting = d.EnqueueAsync(new U(4, 1, null)).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        gate.SetResult();
        Assert.Equal(UpdateEnqueueResult.Accepted, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Stop_without_drain_cancels_running_handlers()
    {
        var cancelled = new TaskCompletionSource();
        var d = Create(async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
        }, new UpdateDispatcherOptions { DrainOnStop = false, UserRateLimit = 0 });
        d.TryEnqueue(new U(1, 1, null));
        d.TryEnqueue(new U(2, 1, null));
        while (d.RunningCount == 0)
        {
            await Task.Delay(5);
        }

        await d.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(UpdateEnqueueResult.Stopped, d.TryEnqueue(new U(3, 1, null)));
        await d.DisposeAsync();
    }

    [Fact]
    public void Raw_updates_yield_chat_and_user_for_every_kind()
    {
        var cases = new (string Json, long? Chat, long? User, string Kind)[]
        {
            ("{\"update_id\":1,\"message\":{\"message_id\":1,\"from\":{\"id\":10},\"chat\":{\"id\":20,\"type\":\"private\"}}}", 20, 10, "message"),
            ("{\"update_id\":2,\"edited_message\":{\"from\":{\"id\":11},\"chat\":{\"id\":-21}}}", -21, 11, "edited_message"),
            ("{\"update_id\":3,\"channel_post\":{\"chat\":{\"id\":-1001}}}", -1001, null, "channel_post"),
            ("{\"update_id\":4,\"callback_query\":{\"id\":\"q\",\"from\":{\"id\":12},\"message\":{\"chat\":{\"id\":22}}}}", 22, 12, "callback_query"),
            ("{\"update_id\":5,\"inline_query\":{\"id\":\"i\",\"from\":{\"id\":13},\"query\":\"x\"}}", null, 13, "inline_query"),
            ("{\"update_id\":6,\"my_chat_member\":{\"chat\":{\"id\":-23},\"from\":{\"id\":14}}}", -23, 14, "my_chat_member"),
            ("{\"update_id\":7,\"poll_answer\":{\"poll_id\":\"p\",\"user\":{\"id\":15}}}", null, 15, "poll_answer"),
        };
        foreach (var (json, chat, user, kind) in cases)
        {
            var u = TelegramUpdate.Parse(json);
            Assert.Equal(kind, u.Kind);
            Assert.Equal(chat, u.ChatId);
            Assert.Equal(user, u.UserId);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
