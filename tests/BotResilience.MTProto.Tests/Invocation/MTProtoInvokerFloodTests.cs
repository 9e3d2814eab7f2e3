using BotResilience.MTProto.Classification;
using BotResilience.MTProto.Tests.Fakes;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Testing;
using TL;
using WTelegram;

namespace BotResilience.MTProto.Tests.Invocation;

public sealed class MTProtoInvokerFloodTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    internal static MTProtoInvoker Create(ManualTimeProvider time, Action<MTProtoInvokerOptions>? configure = null)
    {
        var options = new MTProtoInvokerOptions();
        configure?.Invoke(options);
        return new MTProtoInvoker(options, time);
    }

    [Fact]
    public async Task Calls_respect_the_per_session_limit_of_10_per_second()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromResult("ok"));

        var tasks = Enumerable.Range(0, 25).Select(_ => invoker.InvokeAsync("main", service.Call)).ToArray();
        var other = invoker.InvokeAsync("other", service.Call); // another session has its own limit
        await TestClock.Settle();
        Assert.Equal(11, service.Count);

        await time.AdvanceAsync(TimeSpan.FromMilliseconds(999), Step);
        Assert.Equal(11, service.Count);
        await time.AdvanceAsync(TimeSpan.FromMilliseconds(1), Step);
        Assert.Equal(21, service.Count);
        await time.AdvanceAsync(TimeSpan.FromSeconds(1), Step);
        Assert.Equal(26, service.Count);
        Assert.All(await Task.WhenAll(tasks.Append(other)), r => Assert.Equal("ok", r));
    }

    [Fact]
    public async Task A_flood_wait_on_one_call_pauses_every_caller_of_the_session_for_exactly_X()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var answers = new List<TaskCompletionSource<string>>();
        var answerAtOnce = false;
        var service = new ScriptedService(time, n =>
        {
            if (Volatile.Read(ref answerAtOnce))
            {
                return Task.FromResult("ok");
            }

            var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (answers)
            {
                answers.Add(tcs);
            }

            return tcs.Task;
        });
        var observed = new List<FloodWaitObservedEventArgs>();
        invoker.FloodWaitObserved += (_, e) => observed.Add(e);

        // 30 concurrent invocations: 10 go out at once (the limit), 20 wait in the limiter queue.
        var tasks = Enumerable.Range(0, 30).Select(_ => invoker.InvokeAsync("main", service.Call, method: "messages.getHistory")).ToArray();
        await TestClock.Settle();
        Assert.Equal(10, service.Count);

        // The first answer is FLOOD_WAIT_7, the other nine succeed.
        answers[0].SetException(new RpcException(420, "FLOOD_WAIT_X", 7));
        for (var i = 1; i < 10; i++)
        {
            answers[i].SetResult("ok");
        }

        await TestClock.WaitUntilAsync(() => observed.Count == 1);
        var flood = Assert.Single(observed);
        Assert.Equal(("main", "messages.getHistory", 7, MTProtoErrorKind.FloodWait, "FLOOD_WAIT_X", TimeSpan.FromSeconds(7), "mtproto:main", true),
            (flood.Session, flood.Method, flood.Seconds, flood.Kind, flood.ErrorName, flood.Pause, flood.Scope, flood.WillRetry));

        // Nobody calls the service until 7 s have passed, though the limiter would allow 10 more every second.
        await time.AdvanceAsync(TimeSpan.FromMilliseconds(6999), Step);
        Assert.Equal(10, service.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(1), await invoker.GetRemainingPauseAsync("main"));

        await time.AdvanceAsync(TimeSpan.FromMilliseconds(1), Step);
        await TestClock.WaitUntilAsync(() => service.Count == 20);
        Assert.All(service.CallTimes.Skip(10), t => Assert.Equal(TimeSpan.FromSeconds(7), t));

        Volatile.Write(ref answerAtOnce, true);
        lock (answers)
        {
            foreach (var answer in answers.Skip(10))
            {
                answer.TrySetResult("ok");
            }
        }

        await time.AdvanceUntilAsync(() => tasks.All(t => t.IsCompleted), Step, TimeSpan.FromSeconds(10));
        Assert.All(await Task.WhenAll(tasks), r => Assert.Equal("ok", r));

        // After the pause the burst still respects 10 per second.
        Assert.Equal([7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9], service.CallTimes.Skip(10).Select(t => t.TotalSeconds));
        Assert.Equal(31, service.Count); // 30 invocations + 1 retry of the flood-waited call
    }

    [Fact]
    public async Task Flood_wait_margin_is_added_to_X()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o => o.FloodWaitMargin = TimeSpan.FromSeconds(1));
        var service = new ScriptedService(time, n => n == 0 ? Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 3)) : Task.FromResult("ok"));

        var task = invoker.InvokeAsync("main", service.Call);
        await time.AdvanceUntilAsync(() => task.IsCompleted, Step, TimeSpan.FromSeconds(10));

        Assert.Equal("ok", await task);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(4)], service.CallTimes);
    }

    [Fact]
    public async Task A_wait_above_the_threshold_fails_fast_and_later_callers_fail_fast_without_calling()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 3600)));

        var first = await Assert.ThrowsAsync<FloodWaitException>(() => invoker.InvokeAsync("main", service.Call, method: "channels.getFullChannel"));
        Assert.Equal(TimeSpan.FromSeconds(3600), first.RetryAfter);
        Assert.Equal("mtproto:main", first.Scope);
        Assert.IsType<RpcException>(first.InnerException);

        await time.AdvanceAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var second = await Assert.ThrowsAsync<FloodWaitException>(() => invoker.InvokeAsync("main", service.Call));
        Assert.Equal(TimeSpan.FromSeconds(3590), second.RetryAfter);
        Assert.Equal(1, service.Count);
    }

    [Fact]
    public async Task Flood_waits_beyond_the_retry_budget_surface_as_FloodWaitException()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o => o.MaxRetryAttempts = 2);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(420, "SLOWMODE_WAIT_X", 5)));

        var task = invoker.InvokeAsync("main", service.Call);
        await time.AdvanceUntilAsync(() => task.IsCompleted, Step, TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<FloodWaitException>(() => task);
        Assert.Equal(TimeSpan.FromSeconds(5), ex.RetryAfter);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)], service.CallTimes);
    }

    [Fact]
    public async Task Peer_flood_is_never_retried_and_surfaces_a_typed_exception()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(400, "PEER_FLOOD")));

        var ex = await Assert.ThrowsAsync<PeerFloodException>(() => invoker.InvokeAsync("acc1", service.Call, method: "channels.inviteToChannel"));

        Assert.Equal(("acc1", "channels.inviteToChannel"), (ex.Session, ex.Method));
        Assert.IsType<RpcException>(ex.InnerException);
        await time.AdvanceAsync(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
        Assert.Equal(1, service.Count);
        Assert.Equal(BotResilience.CircuitBreaking.CircuitState.Closed, invoker.GetCircuitState("acc1"));
    }

    [Fact]
    public async Task Transport_flood_backs_off_60_times_2_to_the_n_bounded_by_MaxTransportBackoff()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o =>
        {
            o.MaxRetryAttempts = 4;
            o.MaxTransportBackoff = TimeSpan.FromSeconds(200);
            o.FailureThreshold = 10;
        });
        var service = new ScriptedService(time, n => n < 4 ? Task.FromException<string>(new WTException("Transport flood (429)")) : Task.FromResult("ok"));
        var pauses = new List<TimeSpan>();
        invoker.FloodWaitObserved += (_, e) =>
        {
            Assert.Equal(MTProtoErrorKind.TransportFlood, e.Kind);
            pauses.Add(e.Pause);
        };

        var task = invoker.InvokeAsync("main", service.Call);
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(20));

        Assert.Equal("ok", await task);
        Assert.Equal([60, 120, 200, 200], pauses.Select(p => p.TotalSeconds));
        Assert.Equal([0, 60, 180, 380, 580], service.CallTimes.Select(t => t.TotalSeconds));
    }

    [Fact]
    public async Task A_transport_flood_pauses_the_whole_session_for_other_callers()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o => o.FloodWaitThreshold = TimeSpan.FromSeconds(120));
        var service = new ScriptedService(time, n => n == 0 ? Task.FromException<string>(new WTException("Transport error 429")) : Task.FromResult("ok"));

        var first = invoker.InvokeAsync("main", service.Call);
        await TestClock.Settle();
        var second = invoker.InvokeAsync("main", service.Call, method: "users.getFullUser");
        await time.AdvanceAsync(TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(1));
        Assert.Equal(1, service.Count);

        await time.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(["ok", "ok"], await Task.WhenAll(first, second));
    }

    [Fact]
    public async Task Other_errors_are_retried_every_5_seconds_up_to_3_times_then_rethrown()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o => o.FailureThreshold = 10);
        var service = new ScriptedService(time, n => Task.FromException<string>(new IOException("connection reset " + n)));

        var task = invoker.InvokeAsync("main", service.Call);
        await time.AdvanceUntilAsync(() => task.IsCompleted, Step, TimeSpan.FromSeconds(60));

        var ex = await Assert.ThrowsAsync<IOException>(() => task);
        Assert.Equal("connection reset 3", ex.Message);
        Assert.Equal([0, 5, 10, 15], service.CallTimes.Select(t => t.TotalSeconds));
    }

    [Fact]
    public async Task Rpc_errors_with_4xx_codes_are_definitive_and_not_retried()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(400, "CHANNEL_INVALID")));

        var ex = await Assert.ThrowsAsync<RpcException>(() => invoker.InvokeAsync("main", service.Call));

        Assert.Equal("CHANNEL_INVALID", ex.Message);
        Assert.Equal(1, service.Count);
    }

    [Fact]
    public async Task ShouldRetry_overrides_the_default_decision()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o => o.ShouldRetry = e => e.Name != "AUTH_KEY_UNREGISTERED" && e.Kind != MTProtoErrorKind.NotMTProto);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(401, "AUTH_KEY_UNREGISTERED")));
        var io = new ScriptedService(time, _ => Task.FromException<string>(new IOException()));

        await Assert.ThrowsAsync<RpcException>(() => invoker.InvokeAsync("main", service.Call));
        await Assert.ThrowsAsync<IOException>(() => invoker.InvokeAsync("main", io.Call));
        Assert.Equal((1, 1), (service.Count, io.Count));
    }

    [Fact]
    public async Task Method_scoped_pauses_let_other_methods_of_the_session_go_on()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o => o.PauseMethodScope = true);
        var history = new ScriptedService(time, n => n == 0 ? Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 20)) : Task.FromResult("history"));
        var users = new ScriptedService(time, _ => Task.FromResult("user"));
        var observed = new List<FloodWaitObservedEventArgs>();
        invoker.FloodWaitObserved += (_, e) => observed.Add(e);

        var pending = invoker.InvokeAsync("main", history.Call, method: "messages.getHistory");
        await TestClock.Settle();
        Assert.Equal("mtproto:main:messages.getHistory", Assert.Single(observed).Scope);

        Assert.Equal("user", await invoker.InvokeAsync("main", users.Call, method: "users.getFullUser"));
        Assert.Equal("user", await invoker.InvokeAsync("main", users.Call));
        var secondHistory = invoker.InvokeAsync("main", history.Call, method: "messages.getHistory");
        await time.AdvanceAsync(TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(1));
        Assert.Equal(1, history.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), await invoker.GetRemainingPauseAsync("main", "messages.getHistory"));
        Assert.Equal(TimeSpan.Zero, await invoker.GetRemainingPauseAsync("main"));

        await time.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(["history", "history"], await Task.WhenAll(pending, secondHistory));
    }

    [Fact]
    public async Task Without_method_scope_a_flood_wait_pauses_every_method_of_the_session()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var history = new ScriptedService(time, n => n == 0 ? Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 20)) : Task.FromResult("history"));
        var users = new ScriptedService(time, _ => Task.FromResult("user"));

        var pending = invoker.InvokeAsync("main", history.Call, method: "messages.getHistory");
        await TestClock.Settle();
        var user = invoker.InvokeAsync("main", users.Call, method: "users.getFullUser");
        await time.AdvanceAsync(TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(1));
        Assert.Equal(0, users.Count);

        await time.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal("user", await user);
        Assert.Equal("history", await pending);
    }

    [Fact]
    public async Task Cancellation_while_paused_returns_promptly_with_OperationCanceledException()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 30)));
        using var cts = new CancellationTokenSource();

        var task = invoker.InvokeAsync("main", service.Call, cancellationToken: cts.Token);
        await TestClock.Settle();
        Assert.False(task.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(1, service.Count);
    }

    [Fact]
    public async Task A_call_that_never_answers_times_out_after_30_seconds_even_if_it_ignores_its_token()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o => o.MaxRetryAttempts = 0);
        var never = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var service = new ScriptedService(time, _ => never.Task);

        var task = invoker.InvokeAsync("main", service.Call);
        await time.AdvanceAsync(TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(1));
        Assert.False(task.IsCompleted);
        await time.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<BotResilience.Timeouts.TimeoutRejectedException>(() => task);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.Timeout);
        never.SetException(new IOException("late")); // observed by the invoker: no unobserved task exception
    }

    [Fact]
    public async Task A_full_limiter_queue_is_reported_as_RateLimitRejectedException()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time, o =>
        {
            o.Limits.Clear();
            o.Limits.Add(new SlidingWindowLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 });
        });
        var service = new ScriptedService(time, _ => Task.FromResult("ok"));

        Assert.Equal("ok", await invoker.InvokeAsync("main", service.Call));
        var ex = await Assert.ThrowsAsync<RateLimitRejectedException>(() => invoker.InvokeAsync("main", service.Call));
        Assert.Equal(RateLimitOutcome.QueueFull, ex.Outcome);
        Assert.Equal("cached", await invoker.InvokeAsync("main", service.Call, fallback: _ => Task.FromResult("cached")));
    }

    [Fact]
    public async Task State_overload_passes_state_to_call_and_fallback()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(400, "PEER_FLOOD")));

        var result = await invoker.InvokeAsync(
            "main",
            static (s, ct) => s.Call(ct),
            service,
            method: "contacts.resolveUsername",
            fallback: static (s, _) => Task.FromResult("cached after " + s.Count));

        Assert.Equal("cached after 1", result);
        var ok = await invoker.InvokeAsync("other", static (n, _) => Task.FromResult(n * 2), 21);
        Assert.Equal(42, ok);
    }

    [Fact]
    public async Task The_call_token_is_cancelled_with_the_caller_and_later_calls_get_a_fresh_token()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        var pending = invoker.InvokeAsync("main", async ct =>
        {
            seen = ct;
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return "never";
        }, cancellationToken: cts.Token);
        await TestClock.Settle();
        Assert.False(seen.IsCancellationRequested);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.True(seen.IsCancellationRequested);

        for (var i = 0; i < 5; i++)
        {
            Assert.False(await invoker.InvokeAsync("main", ct => Task.FromResult(ct.IsCancellationRequested)));
        }
    }
}
