using BotResilience.Telegram.Tests.Support;
using System.Net.Http.Json;
using BotResilience.Telegram.Dispatching;
using BotResilience.Telegram.Testing;
using BotResilience.Telegram.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace BotResilience.Telegram.Tests.Integration;

/// <summary>The code of README.md, kept compiling and working.</summary>
[Collection(LoopbackCollection.Name)]
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Di_registration_gives_named_clients_that_share_one_limits_state()
    {
        await using var emulator = await BotApiEmulator.StartNewAsync();
        var services = new ServiceCollection();
        services.AddTelegramBotApiResilience(o => o.GlobalLimit = 30)
            .ConfigureHttpClient(c => c.BaseAddress = emulator.BaseAddress);
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < 4; i++)
        {
            var client = factory.CreateClient(TelegramServiceCollectionExtensions.DefaultClientName);
            using var response = await client.PostAsJsonAsync($"./bot{BotApiEmulator.TestToken}/sendMessage", new { chat_id = 1, text = "x" + i });
            Assert.True(response.IsSuccessStatusCode);
        }

        // The 4th message to chat 1 waited for the per-chat bucket (burst 3, 1/s) filled by the other clients.
        // (A 429 can still happen here: the first request's connection set-up delays its arrival, so the server's
        // spacing is shorter than ours; the handler retried it transparently. See README.md, gaps.)
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(900));
        Assert.Equal(4, emulator.SentMessages.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddTelegramBotApiResilience(o => o.PerChatBurst = 0));
    }

    [Fact]
    public void Readme_example_compiles_and_builds()
    {
        // --- README.md example starts ---
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddTelegramBotApiResilience(o =>
        {
            o.FloodScope = FloodScope.ChatAndBot;          // a 429 pauses the chat and the bot
            o.FloodWaitThreshold = TimeSpan.FromSeconds(60); // longer waits come back as the original 429
        });
        var app = builder.Build();

        var http = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient(TelegramServiceCollectionExtensions.DefaultClientName);
        // var bot = new TelegramBotClient(new TelegramBotClientOptions(token) { RetryThreshold = 0 }, http);

        var dispatcher = new UpdateDispatcher(async (update, ct) =>
        {
            // update.ChatId, update.UserId, update.Kind, update.Json ...
            await Task.Delay(10, ct);
        });
        dispatcher.UserThrottled = (update, retryAfter, ct) => ValueTask.CompletedTask; // "too many requests, wait N s"
        app.MapTelegramWebhook("/webhook", new TelegramWebhookOptions
        {
            Dispatcher = dispatcher,
            SecretToken = "from-setWebhook",
            OnRequest = () => { /* livenessSource.Beat() */ },
        });

        using (BotApiPriority.Bulk())
        {
            // await bot.SendMessage(subscriber, "news");  // broadcasts never starve replies
        }

        // --- example ends ---
        Assert.NotNull(http);
    }
}
