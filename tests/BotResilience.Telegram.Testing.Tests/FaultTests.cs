using System.Diagnostics;

namespace BotResilience.Telegram.Testing.Tests;

public sealed class FaultTests
{
    public static TheoryData<string> Transports => new() { "http", "memory" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task FailNext_answers_5xx_for_the_chosen_method_only(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        h.Emulator.Faults.FailNext(2, 502, method: "sendMessage");
        Assert.True((await h.PostJsonAsync("getMe", new { })).Ok);
        var first = await h.SendMessageAsync(1, "a");
        var second = await h.SendMessageAsync(1, "b");
        var third = await h.SendMessageAsync(1, "c");

        Assert.Equal(502, first.Status);
        Assert.Equal("""{"ok":false,"error_code":502,"description":"Bad Gateway"}""", first.Body);
        Assert.Equal(502, second.Status);
        Assert.True(third.Ok);
        Assert.Equal(2, h.Emulator.Statistics.ServerErrorCount);
        Assert.Equal(["c"], h.Emulator.SentMessages.Select(m => m.Text));
        Assert.Equal(0, h.Emulator.Faults.PendingFaultCount);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task DropNext_drops_the_connection(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        h.Emulator.Faults.DropNext(1);
        await Assert.ThrowsAsync<HttpRequestException>(() => h.SendMessageAsync(1, "lost"));
        Assert.True((await h.SendMessageAsync(1, "kept")).Ok);
        Assert.Equal(1, h.Emulator.Statistics.DroppedConnectionCount);
        Assert.Equal(["kept"], h.Emulator.SentMessages.Select(m => m.Text));
        Assert.Equal(0, h.Emulator.Calls[0].StatusCode);
    }

    [Fact]
    public async Task Latency_delays_answers_on_the_emulators_clock()
    {
        var time = new BotResilience.Testing.ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", new BotApiEmulatorOptions { TimeProvider = time });
        h.Emulator.Faults.SetLatency(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        var pending = h.SendMessageAsync(1, "slow");
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.True((await pending.WaitAsync(TimeSpan.FromSeconds(10))).Ok);

        h.Emulator.Faults.ClearLatency();
        Assert.True((await h.SendMessageAsync(2, "fast").WaitAsync(TimeSpan.FromSeconds(10))).Ok);
    }

    [Fact]
    public async Task Latency_over_real_http_is_observed_by_the_client()
    {
        await using var h = await EmulatorHarness.CreateAsync("http");
        h.Emulator.Faults.SetLatency(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        Assert.True((await h.PostJsonAsync("getMe", new { })).Ok);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(190), watch.Elapsed.ToString());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task TooManyRequestsNext_forces_429_with_the_chosen_retry_after(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        h.Emulator.Faults.TooManyRequestsNext(1, 73414);
        Assert.True((await h.PostJsonAsync("sendChatAction", new { chat_id = 1, action = "typing" })).Ok); // not a send
        var forced = await h.SendMessageAsync(1, "a");
        Assert.Equal(429, forced.Status);
        Assert.Equal("""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 73414","parameters":{"retry_after":73414}}""", forced.Body);
        Assert.True((await h.SendMessageAsync(1, "b")).Ok); // no penalty
        Assert.Equal(1, h.Emulator.GetTooManyRequestsCount(1));

        h.Emulator.Faults.TooManyRequestsNext(1, 5, method: "getUpdates");
        Assert.Equal(5, (await h.PostJsonAsync("getUpdates", new { })).RetryAfter);
    }

    [Fact]
    public async Task FloodChat_and_FloodBot_pause_their_scope_until_the_deadline()
    {
        var time = new BotResilience.Testing.ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", new BotApiEmulatorOptions { TimeProvider = time });
        h.Emulator.Faults.FloodChat(1, 35);
        Assert.Equal(35, (await h.SendMessageAsync(1, "a")).RetryAfter);
        Assert.True((await h.SendMessageAsync(2, "other chat")).Ok);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(25, (await h.SendMessageAsync(1, "a")).RetryAfter);
        time.Advance(TimeSpan.FromSeconds(25));
        Assert.True((await h.SendMessageAsync(1, "a")).Ok);

        h.Emulator.Faults.FloodBot(3);
        Assert.Equal(3, (await h.SendMessageAsync(3, "x")).RetryAfter);
        Assert.Equal(3, (await h.SendMessageAsync(4, "x")).RetryAfter);
        h.Emulator.Faults.Clear();
        Assert.True((await h.SendMessageAsync(4, "x")).Ok);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task MigrateChat_answers_400_with_migrate_to_chat_id(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        h.Emulator.Faults.MigrateChat(-123, -1001234567890);
        var migrated = await h.SendMessageAsync(-123, "hi");
        Assert.Equal(400, migrated.Status);
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}""", migrated.Body);
        Assert.True((await h.SendMessageAsync(-1001234567890, "hi")).Ok);
    }

    [Fact]
    public async Task Faults_reject_bad_arguments()
    {
        await using var emulator = new BotApiEmulator();
        Assert.Throws<ArgumentOutOfRangeException>(() => emulator.Faults.FailNext(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => emulator.Faults.FailNext(1, 404));
        Assert.Throws<ArgumentOutOfRangeException>(() => emulator.Faults.TooManyRequestsNext(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => emulator.Faults.MigrateChat(-1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => emulator.Faults.SetLatency(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Faults_are_safe_to_set_while_requests_run()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory", new BotApiEmulatorOptions { EnforceLimits = false });
        var senders = Enumerable.Range(1, 4).Select(async worker =>
        {
            var failures = 0;
            for (var i = 0; i < 100; i++)
            {
                var result = await h.SendMessageAsync(worker, "x");
                failures += result.Ok ? 0 : 1;
            }

            return failures;
        }).ToArray();
        for (var i = 0; i < 50; i++)
        {
            h.Emulator.Faults.FailNext(1);
        }

        var failed = (await Task.WhenAll(senders)).Sum();
        Assert.Equal(400, failed + h.Emulator.SentMessages.Count);
        Assert.Equal(failed, h.Emulator.Statistics.ServerErrorCount);
        Assert.Equal(50, failed + h.Emulator.Faults.PendingFaultCount);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task BlockChat_answers_403_until_unblocked(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        h.Emulator.Faults.BlockChat(11);
        var blocked = await h.SendMessageAsync(11, "hi");
        Assert.Equal(403, blocked.Status);
        Assert.Equal("""{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}""", blocked.Body);
        Assert.True((await h.SendMessageAsync(12, "hi")).Ok);
        h.Emulator.Faults.UnblockChat(11);
        Assert.True((await h.SendMessageAsync(11, "hi")).Ok);
        h.Emulator.Faults.BlockChat(11);
        h.Emulator.Faults.Clear();
        Assert.True((await h.SendMessageAsync(11, "again")).Ok);
    }
}
