using System.Diagnostics;
using System.Net;
using System.Text;
using BotResilience.Telegram.Dispatching;
using BotResilience.Telegram.Polling;
using BotResilience.Telegram.Tests.Support;
using BotResilience.Telegram.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BotResilience.Telegram.Tests.Webhooks;

[Collection(LoopbackCollection.Name)]
public sealed class WebhookTests
{
    private static async Task<(WebApplication App, Uri Url)> StartAsync(TelegramWebhookOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapTelegramWebhook("/webhook", options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address + "/webhook"));
    }

    private static StringContent Update(long id, long chat = 1) =>
        new($"{{\"update_id\":{id},\"message\":{{\"message_id\":1,\"from\":{{\"id\":{chat}}},\"chat\":{{\"id\":{chat},\"type\":\"private\"}},\"text\":\"hi\"}}}}", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Answers_at_once_while_the_handler_is_slow_and_handles_resends_once()
    {
        var handled = 0;
        await using var dispatcher = new UpdateDispatcher(async (_, ct) =>
        {
            Interlocked.Increment(ref handled);
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
        }, new UpdateDispatcherOptions { DrainOnStop = false });
        var beats = 0;
        var (app, url) = await StartAsync(new TelegramWebhookOptions { Dispatcher = dispatcher, SecretToken = "s3cret", OnRequest = () => Interlocked.Increment(ref beats) });
        await using (app)
        {
            using var client = new HttpClient();
            using (var warmUp = await client.PostAsync(url, Update(1)))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, warmUp.StatusCode); // JIT and connection set-up, not measured
            }

            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Update(77) };
                request.Headers.Add(TelegramWebhookEndpointExtensions.SecretTokenHeader, "s3cret");
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(500), "the answer waited for the handler");
            }

            await Task.Delay(100);
            Assert.Equal(1, Volatile.Read(ref handled)); // re-sent update handled once
            Assert.Equal(4, beats);
        }
    }

    [Fact]
    public async Task Wrong_secret_is_rejected_but_liveness_is_recorded()
    {
        await using var dispatcher = new UpdateDispatcher((_, _) => ValueTask.CompletedTask);
        var beats = 0;
        var (app, url) = await StartAsync(new TelegramWebhookOptions { Dispatcher = dispatcher, SecretToken = "right", OnRequest = () => Interlocked.Increment(ref beats) });
        await using (app)
        {
            using var client = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Update(1) };
            request.Headers.Add(TelegramWebhookEndpointExtensions.SecretTokenHeader, "wrong");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            using var missing = await client.PostAsync(url, Update(2));
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal(2, beats);
            Assert.Equal(0, dispatcher.Inner.HandledCount + dispatcher.Inner.QueueLength);
        }
    }

    [Fact]
    public async Task A_full_queue_answers_503_so_Telegram_resends_and_nothing_is_lost()
    {
        var gate = new TaskCompletionSource();
        var handled = new List<long>();
        await using var dispatcher = new UpdateDispatcher(async (u, _) =>
        {
            await gate.Task;
            lock (handled)
            {
                handled.Add(u.UpdateId!.Value);
            }
        }, new UpdateDispatcherOptions { MaxConcurrency = 1, QueueLimit = 1 });
        var (app, url) = await StartAsync(new TelegramWebhookOptions { Dispatcher = dispatcher });
        await using (app)
        {
            using var client = new HttpClient();
            using (var r1 = await client.PostAsync(url, Update(1)))
            {
                Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
            }

            await Task.Delay(50);
            using (var r2 = await client.PostAsync(url, Update(2)))
            {
                Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
            }

            using (var r3 = await client.PostAsync(url, Update(3)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, r3.StatusCode);
            }

            gate.SetResult();
            await dispatcher.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(5));
            using (var resent = await client.PostAsync(url, Update(3)))
            {
                Assert.Equal(HttpStatusCode.OK, resent.StatusCode); // Telegram's re-send is accepted
            }

            await dispatcher.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal([1, 2, 3], handled.Order());
        }
    }

    [Fact]
    public async Task Long_polling_advances_the_offset_backs_off_on_errors_and_stops_on_conflict()
    {
        await using var fake = await FakeBotApi.StartAsync();
        var calls = 0;
        var offsets = new List<string>();
        fake.Responder = r =>
        {
            if (r.Method != "getUpdates")
            {
                return null;
            }

            var n = Interlocked.Increment(ref calls);
            lock (offsets)
            {
                offsets.Add(Encoding.UTF8.GetString(r.Body));
            }

            return n switch
            {
                1 => (200, "{\"ok\":true,\"result\":[{\"update_id\":10,\"message\":{\"chat\":{\"id\":1},\"from\":{\"id\":1}}},{\"update_id\":11,\"message\":{\"chat\":{\"id\":2},\"from\":{\"id\":2}}}]}"),
                2 => (502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}"),
                3 => (200, "{\"ok\":true,\"result\":[{\"update_id\":12,\"message\":{\"chat\":{\"id\":1},\"from\":{\"id\":1}}}]}"),
                _ => (409, "{\"ok\":false,\"error_code\":409,\"description\":\"Conflict: terminated by other getUpdates request\"}"),
            };
        };
        var seen = new List<long>();
        await using var dispatcher = new UpdateDispatcher((u, _) =>
        {
            lock (seen)
            {
                seen.Add(u.UpdateId!.Value);
            }

            return ValueTask.CompletedTask;
        });
        const string token = "555:POLLINGtokenSECRETsecretSECRET00";
        using var http = new HttpClient();
        var receiver = new LongPollingReceiver(http, token, dispatcher, new LongPollingOptions { BaseAddress = fake.BaseAddress, PollTimeout = TimeSpan.Zero, InitialBackoff = TimeSpan.FromMilliseconds(50) });
        var error = await Assert.ThrowsAsync<BotApiPollingException>(() => receiver.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(409, error.ErrorCode);
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
        Assert.Equal(13, receiver.NextOffset);
        Assert.Contains("\"offset\":0", offsets[0], StringComparison.Ordinal);
        Assert.Contains("\"offset\":12", offsets[1], StringComparison.Ordinal);
        Assert.Contains("\"offset\":12", offsets[2], StringComparison.Ordinal); // same offset after the 502
        Assert.Contains("\"offset\":13", offsets[3], StringComparison.Ordinal);
        await dispatcher.WaitForIdleAsync();
        Assert.Equal([10, 11, 12], seen.Order());
    }

    [Fact]
    public async Task Long_polling_stops_cleanly_on_cancellation()
    {
        await using var fake = await FakeBotApi.StartAsync();
        fake.Responder = r => r.Method == "getUpdates" ? (200, "{\"ok\":true,\"result\":[]}") : null;
        await using var dispatcher = new UpdateDispatcher((_, _) => ValueTask.CompletedTask);
        using var http = new HttpClient();
        var receiver = new LongPollingReceiver(http, "1:abc", dispatcher, new LongPollingOptions { BaseAddress = fake.BaseAddress, PollTimeout = TimeSpan.Zero });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await receiver.RunAsync(cts.Token).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(fake.Requests.Count > 1);
    }
}
