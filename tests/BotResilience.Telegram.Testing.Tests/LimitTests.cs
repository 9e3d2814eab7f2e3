using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Telegram.Testing.Tests;

public sealed class LimitTests
{
    private static BotApiEmulatorOptions Manual(ManualTimeProvider time, Action<BotApiEmulatorOptions>? configure = null)
    {
        var options = new BotApiEmulatorOptions { TimeProvider = time };
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Private_chat_allows_a_burst_then_answers_telegrams_exact_429_and_honouring_retry_after_succeeds()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time));
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await h.SendMessageAsync(1, "burst")).Ok);
        }

        var limited = await h.SendMessageAsync(1, "one too many");
        Assert.Equal(429, limited.Status);
        Assert.Equal("""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}""", limited.Body);

        // Another private chat is not affected.
        Assert.True((await h.SendMessageAsync(2, "other chat")).Ok);

        time.Advance(TimeSpan.FromSeconds(limited.RetryAfter!.Value));
        Assert.True((await h.SendMessageAsync(1, "after retry_after")).Ok);
        Assert.Equal(1, h.Emulator.TooManyRequestsCount);
        Assert.Equal(1, h.Emulator.GetTooManyRequestsCount(1));
        Assert.Equal(0, h.Emulator.GetTooManyRequestsCount(2));
    }

    [Fact]
    public async Task Penalty_keeps_answering_429_until_the_deadline_even_when_the_limit_would_allow()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time, o => o.PerChatBurst = 1));
        Assert.True((await h.SendMessageAsync(1, "a")).Ok);
        time.Advance(TimeSpan.FromMilliseconds(100));
        var first = await h.SendMessageAsync(1, "b");
        Assert.Equal(1, first.RetryAfter); // 0.9 s needed, reported as ceil = 1, penalty until +1 s
        time.Advance(TimeSpan.FromMilliseconds(950)); // the bucket would allow now (1.05 s after "a"), the penalty does not
        var second = await h.SendMessageAsync(1, "c");
        Assert.Equal(429, second.Status);
        Assert.Equal(1, second.RetryAfter);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True((await h.SendMessageAsync(1, "d")).Ok);
        Assert.Equal(2, h.Emulator.GetTooManyRequestsCount(1));
    }

    [Fact]
    public async Task Group_window_is_exactly_20_per_minute_sliding()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time, o => o.PenalizeUntilRetryAfter = false));
        const long group = -100;
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await h.SendMessageAsync(group, $"m{i}")).Ok, $"message {i}");
            time.Advance(TimeSpan.FromSeconds(1)); // message i at t = i s
        }

        // t = 20 s: the window (t-60, t] holds 20 messages.
        var limited = await h.SendMessageAsync(group, "21st");
        Assert.Equal(429, limited.Status);
        Assert.Equal(40, limited.RetryAfter); // the oldest (t=0) leaves the window at t=60

        time.Advance(TimeSpan.FromSeconds(40) - TimeSpan.FromTicks(1));
        Assert.Equal(429, (await h.SendMessageAsync(group, "a tick early")).Status);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True((await h.SendMessageAsync(group, "exactly at 60 s")).Ok);
        Assert.Equal(429, (await h.SendMessageAsync(group, "still full")).Status); // t=1 message leaves at 61
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await h.SendMessageAsync(group, "at 61 s")).Ok);
        Assert.Equal(22, h.Emulator.GetSentMessages(group).Count);
    }

    [Fact]
    public async Task Group_burst_of_20_is_allowed_without_the_private_per_chat_limit()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time));
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await h.SendMessageAsync(-5, "x")).Ok);
        }

        var limited = await h.SendMessageAsync(-5, "x");
        Assert.Equal(60, limited.RetryAfter);
        Assert.True((await h.SendMessageAsync(-6, "another group")).Ok);
    }

    [Fact]
    public async Task Global_limit_is_30_per_second_and_its_429_pauses_the_whole_bot()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time));
        for (var i = 1; i <= 30; i++)
        {
            Assert.True((await h.SendMessageAsync(i, "broadcast")).Ok);
        }

        var limited = await h.SendMessageAsync(31, "31st");
        Assert.Equal(429, limited.Status);
        Assert.Equal(1, limited.RetryAfter);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(429, (await h.SendMessageAsync(32, "bot-wide penalty")).Status);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await h.SendMessageAsync(31, "after")).Ok);
        Assert.Equal(2, h.Emulator.TooManyRequestsCount);
    }

    [Fact]
    public async Task Paid_broadcast_raises_the_global_limit_to_1000_per_second()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time));
        for (var i = 1; i <= 1000; i++)
        {
            var result = await h.SendMessageAsync(i, "paid", paid: true);
            Assert.True(result.Ok, $"paid message {i}: {result.Body}");
        }

        Assert.Equal(429, (await h.SendMessageAsync(1001, "paid", paid: true)).Status);
        Assert.True(h.Emulator.SentMessages.All(m => m.PaidBroadcast));
    }

    [Fact]
    public async Task LimitScale_multiplies_the_rates()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time, o => o.LimitScale = 20));
        for (var i = 1; i <= 600; i++)
        {
            Assert.True((await h.SendMessageAsync(i, "x")).Ok);
        }

        Assert.Equal(429, (await h.SendMessageAsync(601, "x")).Status);
    }

    [Fact]
    public async Task TimeScale_shortens_windows_and_reports_retry_after_in_emulated_seconds()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time, o => { o.TimeScale = 10; o.PerChatBurst = 1; }));
        Assert.True((await h.SendMessageAsync(1, "a")).Ok);
        var limited = await h.SendMessageAsync(1, "b");
        Assert.Equal(1, limited.RetryAfter); // one emulated second = 100 ms of the provider
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True((await h.SendMessageAsync(1, "c")).Ok);
    }

    [Fact]
    public async Task Non_sending_methods_are_not_limited()
    {
        var time = new ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", Manual(time, o => o.PerChatBurst = 1));
        Assert.True((await h.SendMessageAsync(1, "a")).Ok);
        for (var i = 0; i < 50; i++)
        {
            Assert.True((await h.PostJsonAsync("sendChatAction", new { chat_id = 1, action = "typing" })).Ok);
            Assert.True((await h.PostJsonAsync("editMessageText", new { chat_id = 1, message_id = 1, text = $"v{i}" })).Ok);
        }
    }

    [Fact]
    public async Task Over_real_http_a_flood_gets_429_and_a_client_that_honours_retry_after_gets_through()
    {
        // TimeScale 20: one emulated second is 50 ms, so honouring retry_after/TimeScale keeps the test fast.
        await using var h = await EmulatorHarness.CreateAsync("http", new BotApiEmulatorOptions { TimeScale = 20 });
        var delivered = 0;
        var limited = 0;
        while (delivered < 8)
        {
            var result = await h.SendMessageAsync(77, $"m{delivered}");
            if (result.Ok)
            {
                delivered++;
                continue;
            }

            Assert.Equal(429, result.Status);
            Assert.Equal($"Too Many Requests: retry after {result.RetryAfter}", result.Description);
            limited++;
            await Task.Delay(TimeSpan.FromSeconds(result.RetryAfter!.Value / 20.0));
        }

        Assert.True(limited >= 1);
        Assert.Equal(limited, h.Emulator.GetTooManyRequestsCount(77));
        Assert.Equal(8, h.Emulator.GetSentMessages(77).Count);
    }

    [Fact]
    public void Property_no_60s_interval_ever_holds_more_than_20_group_messages_and_retry_after_is_always_enough()
    {
        var gaps = Gen.Choose(0, 9000).ArrayOf().Select(a => a.Take(80).ToArray()); // gaps in ms
        Prop.ForAll(gaps.ToArbitrary(), steps =>
        {
            var time = new ManualTimeProvider();
            var start = time.GetTimestamp();
            using var emulator = new EmulatorUnderTest(time);
            var accepted = new List<long>();
            foreach (var gap in steps)
            {
                time.Advance(TimeSpan.FromMilliseconds(gap));
                var (ok, retryAfter) = emulator.Send(-42);
                if (ok)
                {
                    accepted.Add(time.GetTimestamp() - start);
                }
                else
                {
                    // Honouring retry_after must succeed.
                    time.Advance(TimeSpan.FromSeconds(retryAfter));
                    var (retried, _) = emulator.Send(-42);
                    if (!retried)
                    {
                        return false;
                    }

                    accepted.Add(time.GetTimestamp() - start);
                }
            }

            var window = TimeSpan.FromSeconds(60).Ticks;
            for (var i = 0; i + 20 < accepted.Count; i++)
            {
                if (accepted[i + 20] - accepted[i] < window)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Synchronous driver over the in-memory handler (the handler completes synchronously with a manual clock).</summary>
    private sealed class EmulatorUnderTest : IDisposable
    {
        private readonly BotApiEmulator _emulator;
        private readonly HttpClient _client;

        public EmulatorUnderTest(ManualTimeProvider time)
        {
            _emulator = new BotApiEmulator(new BotApiEmulatorOptions { TimeProvider = time });
            _client = _emulator.CreateClient();
        }

        public (bool Ok, int RetryAfter) Send(long chatId)
        {
            using var content = new FormUrlEncodedContent([new("chat_id", chatId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("text", "x")]);
            using var response = _client.PostAsync($"{_client.BaseAddress}bot{BotApiEmulator.TestToken}/sendMessage", content).GetAwaiter().GetResult();
            var result = ApiResult.ReadAsync(response).GetAwaiter().GetResult();
            return (result.Ok, result.RetryAfter ?? 0);
        }

        public void Dispose()
        {
            _client.Dispose();
            _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
