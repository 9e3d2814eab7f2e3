using System.Diagnostics;
using System.Net.Http.Json;
using BotResilience.Telegram;
using BotResilience.Telegram.Testing;

namespace BotResilience.Benchmarks.Telegram;

/// <summary>
/// Macro benchmark (console mode, <c>--macro telegram</c>): a broadcast against the emulator over loopback, limits
/// scaled ×10 (300 msg/s), with the resilience handler vs a naive client that retries each 429 on its own
/// (Telegram.Bot's default: sleep retry_after, at most 3 attempts).
/// </summary>
public static class TelegramBroadcastMacro
{
    private const double Scale = 10;

    public static async Task RunAsync(int messages = 3000, int chats = 600)
    {
        Console.WriteLine($"Broadcast of {messages} messages to {chats} private chats, emulator limits x{Scale} (global {30 * Scale}/s), loopback.");
        Console.WriteLine("| client | delivered | 429s | seconds | delivered rate (msg/s) | allowed rate | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        await RunOneAsync("BotApiResilienceHandler", messages, chats, naive: false);
        await RunOneAsync("naive (retry each 429, 3 attempts)", messages, chats, naive: true);
    }

    private static async Task RunOneAsync(string name, int messages, int chats, bool naive)
    {
        await using var emulator = await BotApiEmulator.StartNewAsync(new BotApiEmulatorOptions { LimitScale = Scale, PerChatBurst = 3 });
        var options = new BotApiResilienceOptions
        {
            GlobalLimit = (int)(30 * Scale),
            PaidBroadcastLimit = (int)(1000 * Scale),
            PerChatBurst = 1,
            PerChatPeriod = TimeSpan.FromSeconds(1 / Scale),
            GroupLimit = (int)(20 * Scale),
            LimitSafetyMargin = TimeSpan.FromMilliseconds(20),
        };
        using var client = naive ? new HttpClient() : BotApiResilience.CreateHttpClient(options);
        var uri = new Uri(emulator.BaseAddress.AbsoluteUri.TrimEnd('/') + $"/bot{BotApiEmulator.TestToken}/sendMessage");
        var started = Stopwatch.GetTimestamp();
        var delivered = 0;
        using (BotApiPriority.Bulk())
        {
            await Task.WhenAll(Enumerable.Range(0, messages).Select(async i =>
            {
                for (var attempt = 1; attempt <= 3; attempt++)
                {
                    using var response = await client.PostAsJsonAsync(uri, new { chat_id = 1000 + (i % chats), text = "m" + i });
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref delivered);
                        return;
                    }

                    if (!naive || (int)response.StatusCode != 429)
                    {
                        return;
                    }

                    using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    var retryAfter = doc.RootElement.GetProperty("parameters").GetProperty("retry_after").GetInt32();
                    await Task.Delay(TimeSpan.FromSeconds(retryAfter)); // LimitScale scales counts only: emulator seconds are real seconds
                }
            }));
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var allowed = 30 * Scale;
        var rate = delivered / seconds;
        Console.WriteLine($"| {name} | {delivered}/{messages} | {emulator.TooManyRequestsCount} | {seconds:0.00} | {rate:0.0} | {allowed:0} | {rate / allowed:0.000} |");
    }
}
