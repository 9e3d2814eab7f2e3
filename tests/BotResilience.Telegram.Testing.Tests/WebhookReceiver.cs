using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BotResilience.Telegram.Testing.Tests;

/// <summary>A real webhook endpoint on loopback that records what it receives and answers from a script.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private int _concurrent;
    private int _maxConcurrent;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<(string Body, string? Secret)> Received { get; } = new();

    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    /// <summary>Delay applied to every answer (unless a scripted answer runs).</summary>
    public TimeSpan DefaultDelay { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address + "/hook");
        return receiver;
    }

    public void Then(int status) => _script.Enqueue(c => { c.Response.StatusCode = status; return Task.CompletedTask; });

    public void ThenDelay(TimeSpan delay) => _script.Enqueue(async c =>
    {
        try
        {
            await Task.Delay(delay, c.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    });

    public void ThenReply(string json) => _script.Enqueue(async c =>
    {
        c.Response.ContentType = "application/json";
        await c.Response.WriteAsync(json);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _concurrent);
        int seen;
        while ((seen = Volatile.Read(ref _maxConcurrent)) < now && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen)
        {
        }

        try
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            Received.Enqueue((body, context.Request.Headers["X-Telegram-Bot-Api-Secret-Token"].FirstOrDefault()));
            if (_script.TryDequeue(out var step))
            {
                await step(context);
            }
            else if (DefaultDelay > TimeSpan.Zero)
            {
                await Task.Delay(DefaultDelay);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }
}
