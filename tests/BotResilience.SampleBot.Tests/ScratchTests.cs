using System.Diagnostics;
using BotResilience.RateLimiting;
using BotResilience.Telegram;
using BotResilience.Telegram.Testing;

namespace BotResilience.SampleBot.Tests;

public class ScratchTests
{
    [Fact]
    public void Limiters_grant()
    {
        var sw = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 27, Window = TimeSpan.FromSeconds(1.02), QueueLimit = 0 });
        Assert.True(sw.TryAcquire().IsGranted);
        var tb = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 2, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1.02), QueueLimit = 0 });
        Assert.True(tb.TryAcquire().IsGranted);
        var k = new KeyedRateLimiter<string>(new TokenBucketLimiterOptions { TokenLimit = 2, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1.02), QueueLimit = 0 }, null, StringComparer.Ordinal);
        Assert.True(k.TryAcquire("a").IsGranted);
    }

    [Fact]
    public async Task Handler_sends_to_emulator()
    {
        var o = new BotApiEmulatorOptions();
        await using var emu = await BotApiEmulator.StartNewAsync(o);
        using var http = new HttpClient(new BotApiResilienceHandler(new SocketsHttpHandler(), new BotApiResilienceOptions { GlobalLimit = 27, PerChatBurst = 2 }));
        var sw = Stopwatch.StartNew();
        using var content = new StringContent("{\"chat_id\":5,\"text\":\"hi\"}", System.Text.Encoding.UTF8, "application/json");
        using var resp = await http.PostAsync(emu.BaseAddress + "bot" + BotApiEmulator.TestToken + "/sendMessage", content).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(resp.IsSuccessStatusCode, await resp.Content.ReadAsStringAsync());
        Assert.True(sw.ElapsedMilliseconds < 2000, sw.ElapsedMilliseconds.ToString());
    }
}
