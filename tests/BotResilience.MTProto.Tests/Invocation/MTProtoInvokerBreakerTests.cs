using BotResilience.CircuitBreaking;
using BotResilience.MTProto.Tests.Fakes;
using BotResilience.Testing;
using TL;

namespace BotResilience.MTProto.Tests.Invocation;

public sealed class MTProtoInvokerBreakerTests
{
    private static MTProtoInvoker Create(ManualTimeProvider time, Action<MTProtoInvokerOptions>? configure = null) =>
        MTProtoInvokerFloodTests.Create(time, o =>
        {
            o.MaxRetryAttempts = 0;
            configure?.Invoke(o);
        });

    [Fact]
    public async Task Five_consecutive_failures_open_the_circuit_and_calls_are_rejected_without_reaching_Telegram()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new IOException("down")));

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => invoker.InvokeAsync("main", service.Call));
            Assert.Equal(CircuitState.Closed, invoker.GetCircuitState("main"));
        }

        await Assert.ThrowsAsync<IOException>(() => invoker.InvokeAsync("main", service.Call));
        Assert.Equal(CircuitState.Open, invoker.GetCircuitState("main"));

        var rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => invoker.InvokeAsync("main", service.Call));
        Assert.Equal("mtproto:main", rejected.CircuitName);
        Assert.Equal(TimeSpan.FromSeconds(300), rejected.RetryAfter);
        Assert.Equal(5, service.Count);

        // Another session is unaffected.
        var other = new ScriptedService(time, _ => Task.FromResult("ok"));
        Assert.Equal("ok", await invoker.InvokeAsync("other", other.Call));
    }

    [Fact]
    public async Task Fallback_is_used_while_open_and_after_the_break_only_limited_probes_go_through()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var failing = new ScriptedService(time, _ => Task.FromException<string>(new IOException("down")));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("cached", await invoker.InvokeAsync("main", failing.Call, fallback: _ => Task.FromResult("cached")));
        }

        Assert.Equal(CircuitState.Open, invoker.GetCircuitState("main"));
        Assert.Equal("cached", await invoker.InvokeAsync("main", failing.Call, fallback: _ => Task.FromResult("cached")));
        Assert.Equal(5, failing.Count);

        await time.AdvanceAsync(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10));
        var probe = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recovering = new ScriptedService(time, _ => probe.Task);

        var first = invoker.InvokeAsync("main", recovering.Call, fallback: _ => Task.FromResult("cached"));
        await TestClock.Settle();
        Assert.Equal(CircuitState.HalfOpen, invoker.GetCircuitState("main"));
        var second = invoker.InvokeAsync("main", recovering.Call, fallback: _ => Task.FromResult("cached"));
        var third = invoker.InvokeAsync("main", recovering.Call);
        Assert.Equal("cached", await second);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => third);
        Assert.Equal(1, recovering.Count);

        probe.SetResult("fresh");
        Assert.Equal("fresh", await first);
        Assert.Equal(CircuitState.Closed, invoker.GetCircuitState("main"));
        Assert.Equal("fresh", await invoker.InvokeAsync("main", recovering.Call));
    }

    [Fact]
    public async Task A_failed_probe_reopens_the_circuit()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var failing = new ScriptedService(time, _ => Task.FromException<string>(new IOException("down")));
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => invoker.InvokeAsync("main", failing.Call));
        }

        await time.AdvanceAsync(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<IOException>(() => invoker.InvokeAsync("main", failing.Call));
        Assert.Equal(CircuitState.Open, invoker.GetCircuitState("main"));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => invoker.InvokeAsync("main", failing.Call));
        Assert.Equal(6, failing.Count);
    }

    [Fact]
    public async Task Flood_waits_do_not_count_as_failures_by_default_but_can()
    {
        var time = new ManualTimeProvider();
        using var lenient = Create(time);
        using var strict = Create(time, o => o.FloodWaitsCountAsFailures = true);
        var service = new ScriptedService(time, _ => Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 1)));

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<BotResilience.Retry.FloodWaitException>(() => lenient.InvokeAsync("main", service.Call));
            await Assert.ThrowsAsync<BotResilience.Retry.FloodWaitException>(() => strict.InvokeAsync("main", service.Call));
            await time.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        Assert.Equal(CircuitState.Closed, lenient.GetCircuitState("main"));
        Assert.Equal(CircuitState.Open, strict.GetCircuitState("main"));
    }

    [Fact]
    public async Task Definitive_answers_do_not_count_as_failures()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, n => Task.FromException<string>(n % 2 == 0 ? new RpcException(400, "PEER_FLOOD") : new RpcException(400, "USERNAME_INVALID")));

        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => invoker.InvokeAsync("main", service.Call));
        }

        Assert.Equal(CircuitState.Closed, invoker.GetCircuitState("main"));
        Assert.Equal(10, service.Count);
    }

    [Fact]
    public async Task Kill_switch_isolates_a_session_until_reset()
    {
        var time = new ManualTimeProvider();
        using var invoker = Create(time);
        var service = new ScriptedService(time, _ => Task.FromResult("fresh"));

        invoker.Isolate("main");
        Assert.Equal(CircuitState.Isolated, invoker.GetCircuitState("main"));
        var ex = await Assert.ThrowsAsync<BrokenCircuitException>(() => invoker.InvokeAsync("main", service.Call));
        Assert.Equal(CircuitState.Isolated, ex.State);
        Assert.Equal("cached", await invoker.InvokeAsync("main", service.Call, fallback: _ => Task.FromResult("cached")));

        // Isolation does not end with time.
        await time.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => invoker.InvokeAsync("main", service.Call));
        Assert.Equal("fresh", await invoker.InvokeAsync("backup", service.Call));
        Assert.Equal(1, service.Count);

        invoker.Reset("main");
        Assert.Equal("fresh", await invoker.InvokeAsync("main", service.Call));
        Assert.Contains(invoker.Breakers, b => b.Name == "mtproto:main");
        Assert.Contains(invoker.Breakers, b => b.Name == "mtproto:backup");
    }
}
