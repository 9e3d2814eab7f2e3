using BotResilience.Retry;
using BotResilience.Testing;

namespace BotResilience.Tests.Retry;

public sealed class FloodGateTests
{
    [Fact]
    public void Open_scope_has_no_pause()
    {
        var gate = new FloodGate(new ManualTimeProvider());
        Assert.Equal(TimeSpan.Zero, gate.GetRemainingPause("bot"));
        Assert.Equal(0, gate.TrackedScopeCount);
    }

    [Fact]
    public void Pause_holds_until_the_deadline_and_then_forgets_the_scope()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("chat:1", TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(10), gate.GetRemainingPause("chat:1"));
        Assert.Equal(TimeSpan.Zero, gate.GetRemainingPause("chat:2"));
        time.Step(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), gate.GetRemainingPause("chat:1"));
        time.Step(TimeSpan.FromSeconds(6));
        Assert.Equal(TimeSpan.Zero, gate.GetRemainingPause("chat:1"));
        Assert.Equal(0, gate.TrackedScopeCount);
    }

    [Fact]
    public void Shorter_pause_never_shortens_a_longer_one()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("bot", TimeSpan.FromSeconds(30));
        gate.Pause("bot", TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(30), gate.GetRemainingPause("bot"));
        time.Step(TimeSpan.FromSeconds(10));
        gate.Pause("bot", TimeSpan.FromSeconds(25));
        Assert.Equal(TimeSpan.FromSeconds(25), gate.GetRemainingPause("bot"));
    }

    [Fact]
    public void Negative_pause_is_rejected_naming_the_argument()
    {
        var gate = new FloodGate(new ManualTimeProvider());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => gate.Pause("bot", TimeSpan.FromSeconds(-1)));
        Assert.Equal("duration", ex.ParamName);
    }

    [Fact]
    public void Wall_clock_jump_does_not_change_the_pause()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("bot", TimeSpan.FromSeconds(10));
        time.SetUtcNow(time.GetUtcNow().AddHours(5));
        Assert.Equal(TimeSpan.FromSeconds(10), gate.GetRemainingPause("bot"));
    }

    [Fact]
    public async Task WaitAsync_completes_only_at_the_deadline_even_when_it_moves_later_meanwhile()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("bot", TimeSpan.FromSeconds(10));
        var wait = gate.WaitAsync("bot").AsTask();
        time.Step(TimeSpan.FromSeconds(5));
        gate.Pause("bot", TimeSpan.FromSeconds(20)); // deadline now at t = 25 s
        time.Step(TimeSpan.FromSeconds(5));
        Assert.False(wait.IsCompleted);
        time.Step(TimeSpan.FromSeconds(14));
        Assert.False(wait.IsCompleted);
        time.Step(TimeSpan.FromSeconds(1));
        await wait;
    }

    [Fact]
    public async Task Finishing_calls_do_not_release_waiters_early()
    {
        // python-telegram-bot #5338: a shared event released by any finishing request.
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("bot", TimeSpan.FromSeconds(10));
        var first = gate.WaitAsync("bot").AsTask();
        gate.Pause("bot", TimeSpan.FromSeconds(3)); // another request learns a shorter wait and "finishes"
        time.Step(TimeSpan.FromSeconds(3));
        Assert.False(first.IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(7), gate.GetRemainingPause("bot"));
        time.Step(TimeSpan.FromSeconds(7));
        await first;
    }

    [Fact]
    public async Task WaitAsync_honours_cancellation()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("bot", TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource();
        var wait = gate.WaitAsync("bot", cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public void Paused_event_reports_scope_duration_and_deadline_only_when_the_deadline_moves()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        var events = new List<FloodGatePausedEventArgs>();
        gate.Paused += (_, e) => events.Add(e);
        gate.Pause("chat:5", TimeSpan.FromSeconds(35));
        gate.Pause("chat:5", TimeSpan.FromSeconds(10));
        var single = Assert.Single(events);
        Assert.Equal("chat:5", single.Scope);
        Assert.Equal(TimeSpan.FromSeconds(35), single.Duration);
        Assert.Equal(time.GetUtcNow().AddSeconds(35), single.Deadline);
    }

    [Fact]
    public void Passed_scopes_are_swept_without_being_read()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        for (var i = 0; i < 300; i++)
        {
            gate.Pause("chat:" + i, TimeSpan.FromSeconds(1));
        }

        time.Step(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 300; i++)
        {
            gate.Pause("other", TimeSpan.FromSeconds(1));
        }

        Assert.True(gate.TrackedScopeCount <= 1, $"tracked {gate.TrackedScopeCount}");
    }

    [Fact]
    public void Checking_an_open_or_paused_scope_allocates_nothing()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        gate.Pause("bot", TimeSpan.FromSeconds(5));
        _ = gate.GetRemainingPause("bot");
        _ = gate.WaitAsync("open");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = gate.GetRemainingPause("bot");
            _ = gate.GetRemainingPause("open");
            _ = gate.WaitAsync("open");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
