using System.Diagnostics;
using System.Net;
using System.Text;
using BotResilience.Telegram.Tests.Support;

namespace BotResilience.Telegram.Tests.Outgoing;

public sealed class HandlerTests
{
    private const string Secret = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private const string Token = "987654321:" + Secret;
    private static readonly Uri Send = new($"https://api.telegram.org/bot{Token}/sendMessage");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static BotApiResilienceOptions Fast() => new() { RetryDelay = TimeSpan.FromMilliseconds(5), RetryMaxDelay = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task A_429_within_the_threshold_is_retried_after_retry_after()
    {
        var inner = new CapturingHandler((_, n) => n == 1
            ? CapturingHandler.Json(HttpStatusCode.TooManyRequests, FakeBotApi.TooManyRequests(1))
            : CapturingHandler.Ok());
        var events = new List<BotApiFloodWaitEventArgs>();
        var handler = new BotApiResilienceHandler(inner, Fast());
        handler.FloodWaitReceived += (_, e) => events.Add(e);
        using var client = new HttpClient(handler);
        using var response = await client.PostAsync(Send, Json("{\"chat_id\":5,\"text\":\"a\"}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Calls);
        Assert.True(inner.Sent[1].At - inner.Sent[0].At >= TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(15));
        var e = Assert.Single(events);
        Assert.True(e.WillRetry);
        Assert.Equal(["chat:987654321:5", "bot:987654321"], e.Scopes);
    }

    [Fact]
    public async Task A_429_above_the_threshold_returns_the_original_response()
    {
        var body = FakeBotApi.TooManyRequests(73414);
        var inner = new CapturingHandler((_, _) => CapturingHandler.Json(HttpStatusCode.TooManyRequests, body));
        using var client = new HttpClient(new BotApiResilienceHandler(inner, Fast()));
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync(Send, Json("{\"chat_id\":5}"));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        var inner = new CapturingHandler((_, n) => n <= 2 ? CapturingHandler.Json(HttpStatusCode.BadGateway, "{}") : CapturingHandler.Ok());
        using var client = new HttpClient(new BotApiResilienceHandler(inner, Fast()));
        using var response = await client.PostAsync(Send, Json("{\"chat_id\":5}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task Network_errors_are_retried_then_rethrown_and_open_the_circuit()
    {
        var options = Fast();
        options.MaxRetryAttempts = 1;
        options.CircuitBreakerFailureThreshold = 2;
        options.CircuitBreakerBreakDuration = TimeSpan.FromMinutes(5);
        var inner = new CapturingHandler((_, _) => throw new HttpRequestException($"connection refused for /bot{Token}/sendMessage"));
        var logger = new ListLogger();
        using var client = new HttpClient(new BotApiResilienceHandler(inner, options, logger: logger));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(Send, Json("{\"chat_id\":5}")));
        Assert.Equal(2, inner.Calls);
        var open = await Assert.ThrowsAsync<BotApiCircuitOpenException>(() => client.PostAsync(Send, Json("{\"chat_id\":5}")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, open.StatusCode);
        Assert.True(open.RetryAfter > TimeSpan.FromMinutes(4));
        Assert.Equal(2, inner.Calls); // failed fast, nothing sent
        Assert.DoesNotContain(logger.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, open.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migration_raises_an_event_and_returns_the_response()
    {
        const string body = "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: group chat was upgraded to a supergroup chat\",\"parameters\":{\"migrate_to_chat_id\":-1001234}}";
        var inner = new CapturingHandler((_, _) => CapturingHandler.Json(HttpStatusCode.BadRequest, body));
        var handler = new BotApiResilienceHandler(inner, Fast());
        ChatMigratedEventArgs? migrated = null;
        handler.ChatMigrated += (_, e) => migrated = e;
        using var client = new HttpClient(handler);
        using var response = await client.PostAsync(Send, Json("{\"chat_id\":-4321}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.NotNull(migrated);
        Assert.Equal("-4321", migrated.OldChatId);
        Assert.Equal(-1001234, migrated.NewChatId);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Non_sending_methods_and_downloads_are_not_throttled()
    {
        var options = Fast();
        options.GlobalLimit = 1;
        options.GlobalBurst = 1;
        options.GlobalWindow = TimeSpan.FromHours(1);
        var inner = new CapturingHandler();
        using var client = new HttpClient(new BotApiResilienceHandler(inner, options));
        using (var first = await client.PostAsync(Send, Json("{\"chat_id\":1}")))
        {
            Assert.True(first.IsSuccessStatusCode);
        }

        var calls = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 10; i++)
        {
            calls.Add(client.PostAsync(new Uri($"https://api.telegram.org/bot{Token}/getMe"), null));
            calls.Add(client.PostAsync(new Uri($"https://api.telegram.org/bot{Token}/answerCallbackQuery"), Json("{\"callback_query_id\":\"1\"}")));
            calls.Add(client.GetAsync(new Uri($"https://api.telegram.org/file/bot{Token}/photos/x.jpg")));
        }

        var done = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(done, r => Assert.True(r.IsSuccessStatusCode));
        var blocked = client.PostAsync(Send, Json("{\"chat_id\":2}"));
        await Task.Delay(100);
        Assert.False(blocked.IsCompleted); // the send budget is used up for an hour
    }

    [Fact]
    public async Task Priority_header_is_removed_before_sending()
    {
        string? seen = "unset";
        var inner = new CapturingHandler((r, _) =>
        {
            seen = r.Headers.TryGetValues(BotApiPriority.HeaderName, out var v) ? string.Join(",", v) : null;
            return CapturingHandler.Ok();
        });
        using var client = new HttpClient(new BotApiResilienceHandler(inner, Fast()));
        using var request = new HttpRequestMessage(HttpMethod.Post, Send) { Content = Json("{\"chat_id\":1}") };
        request.Headers.Add(BotApiPriority.HeaderName, "Bulk");
        using var response = await client.SendAsync(request);
        Assert.Null(seen);
    }

    [Fact]
    public async Task The_token_never_appears_in_logs_events_or_exceptions()
    {
        var logger = new ListLogger();
        var texts = new List<string>();
        var options = Fast();
        options.MaxRetryAttempts = 1;
        options.FloodScope = FloodScope.Chat;
        options.OnFloodWait = e => texts.Add($"{e.Method} {e.ChatId} {string.Join(",", e.Scopes)}");
        options.OnChatMigrated = e => texts.Add($"{e.Method} {e.OldChatId} {e.NewChatId}");
        var script = new Queue<Func<HttpResponseMessage>>(
        [
            () => CapturingHandler.Json(HttpStatusCode.TooManyRequests, FakeBotApi.TooManyRequests(90000)),
            () => CapturingHandler.Json(HttpStatusCode.BadRequest, "{\"ok\":false,\"parameters\":{\"migrate_to_chat_id\":-100}}"),
            () => CapturingHandler.Json(HttpStatusCode.InternalServerError, "{}"),
            () => CapturingHandler.Json(HttpStatusCode.InternalServerError, "{}"),
            () => throw new HttpRequestException($"failed https://api.telegram.org/bot{Token}/sendMessage"),
            () => throw new HttpRequestException($"failed again {Token}"),
        ]);
        var inner = new CapturingHandler((_, _) => script.Dequeue()());
        using var client = new HttpClient(new BotApiResilienceHandler(inner, options, logger: logger));
        for (var i = 0; i < 4; i++)
        {
            try
            {
                // Different chats; the first 429 (90 000 s) also pauses the bot, so later sends get a synthesized 429.
                using var r = await client.PostAsync(Send, Json("{\"chat_id\":-" + (5 + i) + "}"));
                texts.Add(await r.Content.ReadAsStringAsync());
                if (i > 0 && r.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.True(r.Headers.Contains(BotApiResilienceHandler.SynthesizedHeader));
                }
            }
            catch (HttpRequestException ex)
            {
                texts.Add(ex.ToString());
            }
        }

        Assert.NotEmpty(logger.Lines);
        Assert.True(texts.Count >= 2);
        Assert.DoesNotContain(logger.Lines.Concat(texts), l => l.Contains(Secret, StringComparison.Ordinal));
    }
}
