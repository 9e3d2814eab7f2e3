using System.Net;
using System.Text;
using BotResilience.SampleBot.Configuration;
using BotResilience.SampleBot.Demo;
using BotResilience.SampleBot.Hosting;

namespace BotResilience.SampleBot.Tests;

[Collection(EndToEndCollection.Name)]
public sealed class WebhookAndWatchdogTests
{
    [Fact]
    public async Task Watchdog_fires_on_a_hang_and_liveness_is_recorded_before_the_secret_check()
    {
        string db = TestHost.TempDb();
        try
        {
            await using IChatPlatform platform = await EmulatorPlatform.StartAsync(CancellationToken.None);
            SampleBotOptions o = TestHost.DemoOptions(db);
            o.WatchdogSilence = TimeSpan.FromSeconds(3); // scaled from 180 s
            o.WatchdogGrace = TimeSpan.FromSeconds(0.5);   // scaled from 60 s
            var fired = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using SampleBotApp app = await SampleBotApp.StartAsync(o, new BotConnection(platform.ApiBaseUrl, platform.Token, BotMode.Webhook, null),
                new SampleBotHooks { OnWatchdogFired = s => fired.TrySetResult(s) });
            using var http = new HttpClient { BaseAddress = app.BaseAddress };

            // traffic with a wrong secret: rejected with 401, yet it proves the endpoint is alive (seed 004)
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (DateTime.UtcNow < until)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, SampleBotApp.WebhookPath) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", "wrong");
                using HttpResponseMessage response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                await Task.Delay(200);
            }

            Assert.False(fired.Task.IsCompleted, "the watchdog fired although the webhook was being called");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);

            // simulated hang: no webhook traffic at all
            TimeSpan silence = await fired.Task.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(silence >= o.WatchdogSilence);
            Assert.Equal(1, app.Watchdog.Fired);
        }
        finally
        {
            TestHost.DeleteDb(db);
        }
    }

    [Fact]
    public async Task Webhook_drops_duplicate_updates_and_serves_health_and_metrics()
    {
        string db = TestHost.TempDb();
        try
        {
            await using var platform = (EmulatorPlatform)await EmulatorPlatform.StartAsync(CancellationToken.None);
            SampleBotOptions o = TestHost.DemoOptions(db);
            await using SampleBotApp app = await SampleBotApp.StartAsync(o, new BotConnection(platform.ApiBaseUrl, platform.Token, BotMode.Webhook, null));
            using var http = new HttpClient { BaseAddress = app.BaseAddress };

            // Telegram re-sends an update after a timeout: the same update_id twice must create one order and one reply
            const string update = """{"update_id":777001,"message":{"message_id":5,"date":1700000000,"chat":{"id":4242,"type":"private"},"from":{"id":4242,"first_name":"Dup"},"text":"/order twice"}}""";
            for (int i = 0; i < 2; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, SampleBotApp.WebhookPath) { Content = new StringContent(update, Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", app.WebhookSecret);
                using HttpResponseMessage response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await platform.Emulator.WaitForMessagesAsync(4242, 1, TimeSpan.FromSeconds(10));
            await Task.Delay(300);
            Assert.Single(platform.Emulator.GetSentMessages(4242), m => m.Text!.StartsWith("🧾 Order #", StringComparison.Ordinal));
            Assert.Single(await app.Store.GetOrdersAsync(4242, default));
            Assert.Equal(1, app.Metrics.DuplicateUpdates);

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            string metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("# TYPE botresilience_sample_updates_total counter", metrics, StringComparison.Ordinal);
            Assert.Contains("botresilience_sample_updates_total 2", metrics, StringComparison.Ordinal);
            Assert.Contains("botresilience_sample_updates_duplicate_total 1", metrics, StringComparison.Ordinal);
            Assert.Contains("botresilience_telegram_requests", metrics, StringComparison.Ordinal); // the library meter is exported too
        }
        finally
        {
            TestHost.DeleteDb(db);
        }
    }
}
