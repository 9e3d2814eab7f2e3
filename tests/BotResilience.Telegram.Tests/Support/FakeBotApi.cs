using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BotResilience.Telegram.Tests.Support;

/// <summary>
/// A small, independent Bot API fake on Kestrel (127.0.0.1, random port) for this project's loopback tests: it enforces
/// the limits it is given (per chat spacing with burst, per group window, global window), answers 429 with
/// <c>retry_after</c> like Telegram, records every request with its arrival time, and can be told to fail.
/// </summary>
internal sealed class FakeBotApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _lock = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _perChat = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _perGroup = [];
    private readonly Queue<DateTimeOffset> _global = new();
    private readonly ConcurrentQueue<Func<RecordedRequest, (int Status, string Body)?>> _faults = new();
    private long _messageId;

    private FakeBotApi(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public FakeLimits? Limits { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Custom answer for a method (getUpdates...), or null to use the default.</summary>
    public Func<RecordedRequest, (int Status, string Body)?>? Responder { get; set; }

    public int TooManyRequestsCount => Requests.Count(r => r.Status == 429);

    public IEnumerable<RecordedRequest> Delivered => Requests.Where(r => r.Status == 200 && r.Method.StartsWith("send", StringComparison.Ordinal));

    public static async Task<FakeBotApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeBotApi(app);
        app.MapPost("/bot{token}/{method}", fake.HandleAsync);
        app.MapGet("/bot{token}/{method}", fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return fake;
    }

    /// <summary>Adds a one-shot fault: the function decides per request (null = not this one; the fault stays queued).</summary>
    public void EnqueueFault(Func<RecordedRequest, (int Status, string Body)?> fault) => _faults.Enqueue(fault);

    public static string TooManyRequests(int retryAfter)
        => $"{{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after {retryAfter}\",\"parameters\":{{\"retry_after\":{retryAfter}}}}}";

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = DateTimeOffset.UtcNow;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var method = (string)context.Request.RouteValues["method"]!;
        var token = (string)context.Request.RouteValues["token"]!;
        var (chat, text) = ReadFields(bytes, context.Request.ContentType);
        var record = new RecordedRequest(method, token, chat, text, arrived, bytes, context.Request.ContentType);
        (int Status, string Body) answer;
        if (Responder?.Invoke(record) is { } custom)
        {
            answer = custom;
        }
        else if (TakeFault(record) is { } fault)
        {
            answer = fault;
        }
        else if (method.StartsWith("send", StringComparison.Ordinal) && CheckLimits(chat, arrived) is { } retry)
        {
            answer = (429, TooManyRequests(retry));
        }
        else
        {
            var id = Interlocked.Increment(ref _messageId);
            answer = (200, $"{{\"ok\":true,\"result\":{{\"message_id\":{id},\"date\":0,\"chat\":{{\"id\":{(long.TryParse(chat, out var c) ? c : 0)},\"type\":\"private\"}}}}}}");
        }

        record.Status = answer.Status;
        Requests.Enqueue(record);
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body);
    }

    private (int, string)? TakeFault(RecordedRequest record)
    {
        lock (_lock)
        {
            if (_faults.TryPeek(out var fault) && fault(record) is { } answer)
            {
                _faults.TryDequeue(out _);
                return answer;
            }
        }

        return null;
    }

    private int? CheckLimits(string? chat, DateTimeOffset now)
    {
        var limits = Limits;
        if (limits is null)
        {
            return null;
        }

        lock (_lock)
        {
            // A few milliseconds of tolerance for loopback jitter between the client's grant and our arrival time.
            var tolerance = limits.Tolerance;
            if (Exceeds(_global, limits.GlobalLimit, limits.GlobalWindow - tolerance, now))
            {
                return 1;
            }

            Queue<DateTimeOffset>? chatLog = null;
            Queue<DateTimeOffset>? groupLog = null;
            if (chat is not null)
            {
                chatLog = Get(_perChat, chat);
                if (Exceeds(chatLog, limits.PerChatBurst, (limits.PerChatPeriod * limits.PerChatBurst) - tolerance, now))
                {
                    return 1;
                }

                if (chat.StartsWith('-') || chat.StartsWith('@'))
                {
                    groupLog = Get(_perGroup, chat);
                    if (Exceeds(groupLog, limits.GroupLimit, limits.GroupWindow - tolerance, now))
                    {
                        return 1;
                    }
                }
            }

            _global.Enqueue(now);
            chatLog?.Enqueue(now);
            groupLog?.Enqueue(now);
            return null;
        }
    }

    private static Queue<DateTimeOffset> Get(Dictionary<string, Queue<DateTimeOffset>> map, string key)
    {
        if (!map.TryGetValue(key, out var q))
        {
            q = new Queue<DateTimeOffset>();
            map[key] = q;
        }

        return q;
    }

    private static bool Exceeds(Queue<DateTimeOffset> log, int limit, TimeSpan window, DateTimeOffset now)
    {
        while (log.Count > 0 && now - log.Peek() >= window)
        {
            log.Dequeue();
        }

        return log.Count >= limit;
    }

    private static (string? Chat, string? Text) ReadFields(byte[] bytes, string? contentType)
    {
        if (bytes.Length == 0)
        {
            return (null, null);
        }

        if (contentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true)
        {
            var form = Encoding.UTF8.GetString(bytes).Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
            return (form.GetValueOrDefault("chat_id"), form.GetValueOrDefault("text"));
        }

        if (contentType?.StartsWith("multipart/", StringComparison.Ordinal) == true)
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            string? chat = root.TryGetProperty("chat_id", out var c) ? (c.ValueKind == JsonValueKind.Number ? c.GetRawText() : c.GetString()) : null;
            string? text = root.TryGetProperty("text", out var t) ? t.GetString() : null;
            return (chat, text);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record FakeLimits(int PerChatBurst, TimeSpan PerChatPeriod, int GroupLimit, TimeSpan GroupWindow, int GlobalLimit, TimeSpan GlobalWindow)
{
    public TimeSpan Tolerance { get; init; } = TimeSpan.FromMilliseconds(15);
}

internal sealed class RecordedRequest(string method, string token, string? chat, string? text, DateTimeOffset arrived, byte[] body, string? contentType)
{
    public string Method { get; } = method;

    public string Token { get; } = token;

    public string? Chat { get; } = chat;

    public string? Text { get; } = text;

    public DateTimeOffset Arrived { get; } = arrived;

    public byte[] Body { get; } = body;

    public string? ContentType { get; } = contentType;

    public int Status { get; set; }
}
