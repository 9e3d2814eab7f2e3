using System.Text.Json;

namespace BotResilience.Telegram.Testing.Tests;

public sealed class WebhookTests
{
    private static BotApiEmulatorOptions Fast() => new()
    {
        WebhookTimeout = TimeSpan.FromSeconds(2), // generous: the first POST pays for JIT on a busy 2-core machine
        WebhookRetryDelay = TimeSpan.FromMilliseconds(20),
        WebhookMaxRetryDelay = TimeSpan.FromMilliseconds(100),
    };

    [Theory]
    [InlineData("http")]
    [InlineData("memory")]
    public async Task Updates_are_posted_to_the_webhook_with_the_secret_header(string transport)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await EmulatorHarness.CreateAsync(transport, Fast());
        var set = await h.PostJsonAsync("setWebhook", new { url = receiver.Url.ToString(), secret_token = "s3cr3t_-", max_connections = 5 });
        Assert.True(set.Ok, set.Body);
        Assert.Equal("Webhook was set", set.Description);
        var id = h.Emulator.SendUserMessage(10, "hello hook");

        await h.Emulator.WaitForWebhookDeliveriesAsync(1, TimeSpan.FromSeconds(10));
        var (body, secret) = Assert.Single(receiver.Received);
        Assert.Equal("s3cr3t_-", secret);
        using var update = JsonDocument.Parse(body);
        Assert.Equal(id, update.RootElement.GetProperty("update_id").GetInt64());
        Assert.Equal("hello hook", update.RootElement.GetProperty("message").GetProperty("text").GetString());
        Assert.Equal(0, h.Emulator.PendingUpdateCount);

        var info = await h.PostJsonAsync("getWebhookInfo", new { });
        Assert.Equal(receiver.Url.ToString(), info.Result.GetProperty("url").GetString());
        Assert.Equal(5, info.Result.GetProperty("max_connections").GetInt32());
        Assert.Equal(0, info.Result.GetProperty("pending_update_count").GetInt32());

        var conflict = await h.PostJsonAsync("getUpdates", new { });
        Assert.Equal(409, conflict.Status);
        Assert.Equal("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", conflict.Description);
    }

    [Fact]
    public async Task A_500_answer_makes_the_emulator_resend_the_same_update()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await EmulatorHarness.CreateAsync("memory", Fast());
        receiver.Then(500);
        receiver.Then(502);
        await h.PostJsonAsync("setWebhook", new { url = receiver.Url.ToString() });
        var id = h.Emulator.SendUserMessage(10, "retry me");

        await h.Emulator.WaitForWebhookDeliveriesAsync(1, TimeSpan.FromSeconds(10));
        var bodies = receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("update_id").GetInt64()).ToList();
        Assert.Equal([id, id, id], bodies);
        Assert.Null(receiver.Received.First().Secret);
        var stats = h.Emulator.Statistics;
        Assert.Equal(3, stats.WebhookAttemptCount);
        Assert.Equal(2, stats.WebhookResendCount);
        Assert.Equal(2, stats.WebhookFailureCount);
        Assert.Equal(1, stats.WebhookDeliveryCount);

        var info = await h.PostJsonAsync("getWebhookInfo", new { });
        Assert.StartsWith("Wrong response from the webhook: 502", info.Result.GetProperty("last_error_message").GetString(), StringComparison.Ordinal);
        Assert.True(info.Result.GetProperty("last_error_date").GetInt64() > 0);
    }

    [Fact]
    public async Task A_timeout_makes_the_emulator_resend()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await EmulatorHarness.CreateAsync("memory", Fast());
        receiver.ThenDelay(TimeSpan.FromSeconds(30)); // far beyond the 2 s webhook timeout
        await h.PostJsonAsync("setWebhook", new { url = receiver.Url.ToString() });
        h.Emulator.SendUserMessage(10, "slow");

        await h.Emulator.WaitForWebhookDeliveriesAsync(1, TimeSpan.FromSeconds(10));
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(1, h.Emulator.Statistics.WebhookResendCount);
        var info = await h.PostJsonAsync("getWebhookInfo", new { });
        Assert.Equal("Read timeout expired", info.Result.GetProperty("last_error_message").GetString());
    }

    [Fact]
    public async Task Deliveries_never_exceed_max_connections()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.DefaultDelay = TimeSpan.FromMilliseconds(100);
        await using var h = await EmulatorHarness.CreateAsync("memory", Fast());
        await h.PostJsonAsync("setWebhook", new { url = receiver.Url.ToString(), max_connections = 2 });
        for (var i = 0; i < 8; i++)
        {
            h.Emulator.SendUserMessage(i + 1, "x");
        }

        await h.Emulator.WaitForWebhookDeliveriesAsync(8, TimeSpan.FromSeconds(20));
        Assert.Equal(2, receiver.MaxConcurrent);
    }

    [Fact]
    public async Task A_webhook_answer_can_carry_a_method_call()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await EmulatorHarness.CreateAsync("memory", Fast());
        receiver.ThenReply("""{"method":"sendMessage","chat_id":10,"text":"answered in the response"}""");
        await h.PostJsonAsync("setWebhook", new { url = receiver.Url.ToString() });
        h.Emulator.SendUserMessage(10, "hi");
        var message = await h.Emulator.WaitForMessageAsync(m => m.ChatId == 10, TimeSpan.FromSeconds(10));
        Assert.Equal("answered in the response", message.Text);
    }

    [Fact]
    public async Task DeleteWebhook_switches_back_to_getUpdates_and_can_drop_pending_updates()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory", Fast());
        // A webhook that refuses connections keeps the update pending.
        await h.PostJsonAsync("setWebhook", new { url = "http://127.0.0.1:1/hook" });
        h.Emulator.SendUserMessage(1, "pending");
        await Task.Delay(100);
        Assert.Equal(1, h.Emulator.PendingUpdateCount);
        var info = await h.PostJsonAsync("getWebhookInfo", new { });
        Assert.Equal(1, info.Result.GetProperty("pending_update_count").GetInt32());

        var deleted = await h.PostJsonAsync("deleteWebhook", new { });
        Assert.Equal("Webhook was deleted", deleted.Description);
        Assert.Null(h.Emulator.WebhookUrl);
        var updates = await h.PostJsonAsync("getUpdates", new { });
        Assert.Equal(1, updates.Result.GetArrayLength());

        await h.PostJsonAsync("setWebhook", new { url = "http://127.0.0.1:1/hook" });
        var dropped = await h.PostJsonAsync("deleteWebhook", new { drop_pending_updates = true });
        Assert.True(dropped.Ok);
        Assert.Equal(0, h.Emulator.PendingUpdateCount);
        Assert.Equal("", (await h.PostJsonAsync("getWebhookInfo", new { })).Result.GetProperty("url").GetString());
    }

    [Fact]
    public async Task SetWebhook_validates_its_parameters()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory");
        Assert.Equal(400, (await h.PostJsonAsync("setWebhook", new { url = "not a url" })).Status);
        Assert.Equal(400, (await h.PostJsonAsync("setWebhook", new { url = "https://example.org/hook", max_connections = 101 })).Status);
        Assert.Equal(400, (await h.PostJsonAsync("setWebhook", new { url = "https://example.org/hook", secret_token = "has space" })).Status);
        Assert.Null(h.Emulator.WebhookUrl);
    }

    [Fact]
    public async Task WebhookHandler_delivers_in_memory_and_a_deleteWebhook_reply_does_not_deadlock()
    {
        var handler = new RecordingHandler();
        var options = Fast();
        options.WebhookHandler = handler;
        await using var h = await EmulatorHarness.CreateAsync("memory", options);
        await h.PostJsonAsync("setWebhook", new { url = "https://bot.example/hook", secret_token = "abc" });
        h.Emulator.SendUserMessage(3, "in memory");
        await h.Emulator.WaitForWebhookDeliveriesAsync(1, TimeSpan.FromSeconds(10));
        var (uri, secret, body) = Assert.Single(handler.Requests);
        Assert.Equal("https://bot.example/hook", uri.ToString());
        Assert.Equal("abc", secret);
        Assert.Contains("in memory", body, StringComparison.Ordinal);

        handler.Reply = """{"method":"deleteWebhook"}""";
        h.Emulator.SendUserMessage(3, "last one");
        await h.Emulator.WaitForWebhookDeliveriesAsync(2, TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (h.Emulator.WebhookUrl is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Null(h.Emulator.WebhookUrl);
        Assert.True((await h.PostJsonAsync("getUpdates", new { })).Ok);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public System.Collections.Concurrent.ConcurrentQueue<(Uri Uri, string? Secret, string Body)> Requests { get; } = new();

        public string? Reply { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            request.Headers.TryGetValues("X-Telegram-Bot-Api-Secret-Token", out var secrets);
            Requests.Enqueue((request.RequestUri!, secrets?.FirstOrDefault(), body));
            var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
            if (Reply is { } reply)
            {
                response.Content = new StringContent(reply, System.Text.Encoding.UTF8, "application/json");
            }

            return response;
        }
    }
}
