using System.Diagnostics;
using BotResilience.Telegram.Testing;
using BotResilience.Telegram.Tests.Support;
using Telegram.Bot;
using Telegram.Bot.Exceptions;

namespace BotResilience.Telegram.Tests.Integration;

/// <summary>
/// The real Telegram.Bot (v22) client over <see cref="BotApiResilienceHandler"/> against the emulator on loopback:
/// the wiring the README shows (<c>new TelegramBotClient(options { RetryThreshold = 0 }, httpClient)</c>).
/// </summary>
[Collection(LoopbackCollection.Name)]
public sealed class TelegramBotClientWiringTests
{
    private static TelegramBotClient CreateBot(BotApiEmulator emulator, HttpClient http)
        => new(new TelegramBotClientOptions(BotApiEmulator.TestToken, emulator.BaseAddress.ToString()) { RetryThreshold = 0 }, http);

    [Fact]
    public async Task A_short_429_is_waited_out_by_the_handler_and_Telegram_Bot_never_sees_it()
    {
        await using var emulator = await BotApiEmulator.StartNewAsync();
        using var http = BotApiResilience.CreateHttpClient(new BotApiResilienceOptions());
        var bot = CreateBot(emulator, http);
        emulator.Faults.TooManyRequestsNext(1, retryAfterSeconds: 1, method: "sendMessage");

        var clock = Stopwatch.StartNew();
        var message = await bot.SendMessage(42, "hello");

        Assert.Equal("hello", message.Text);
        Assert.Equal(1, emulator.TooManyRequestsCount);
        Assert.Single(emulator.SentMessages);
        // retry_after honoured: the retry was not sent before the second had passed.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {clock.Elapsed}");
    }

    [Fact]
    public async Task A_429_above_the_threshold_reaches_Telegram_Bot_unchanged()
    {
        await using var emulator = await BotApiEmulator.StartNewAsync();
        using var http = BotApiResilience.CreateHttpClient(new BotApiResilienceOptions { FloodWaitThreshold = TimeSpan.FromSeconds(60) });
        var bot = CreateBot(emulator, http);
        emulator.Faults.TooManyRequestsNext(1, retryAfterSeconds: 73_414, method: "sendMessage");

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, "hello"));

        Assert.Equal(429, error.ErrorCode);
        Assert.Equal(73_414, error.Parameters?.RetryAfter);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "failed fast instead of sleeping for 20 hours");
        Assert.Empty(emulator.SentMessages);
    }

    [Fact]
    public async Task Telegram_Bot_sends_to_many_chats_through_the_handler_and_never_sees_a_429()
    {
        await using var emulator = await BotApiEmulator.StartNewAsync();
        using var http = BotApiResilience.CreateHttpClient(new BotApiResilienceOptions());
        var bot = CreateBot(emulator, http);
        await bot.GetMe();

        // 3 messages to each of 20 private chats at once: 60 sends, limited to 30/s bot-wide by the handler.
        var sends = Enumerable.Range(0, 60).Select(i => bot.SendMessage(1000 + (i % 20), $"m{i}"));
        var sent = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));

        // Every message delivered exactly once and no ApiRequestException reached Telegram.Bot. The server may still
        // answer a few 429s when a loaded machine delays a request's arrival past the handler's safety margin (a
        // bot-wide 429 then rejects what is already in flight); the handler waits those out and retries them.
        Assert.Equal(60, sent.Length);
        var texts = emulator.SentMessages.Select(m => m.Text).ToList();
        Assert.Equal(60, texts.Count);
        Assert.Equal(60, texts.Distinct().Count());
    }
}
