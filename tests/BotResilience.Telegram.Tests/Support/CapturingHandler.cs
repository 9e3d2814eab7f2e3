using System.Net;
using System.Text;

namespace BotResilience.Telegram.Tests.Support;

/// <summary>An in-memory inner handler: records what it is sent and answers with a scripted function.</summary>
internal sealed class CapturingHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _respond;
    private int _calls;

    public CapturingHandler(Func<HttpRequestMessage, int, HttpResponseMessage>? respond = null)
        => _respond = respond ?? ((_, _) => Ok());

    public List<(string Uri, byte[] Body, string? ContentType, DateTimeOffset At)> Sent { get; } = [];

    public int Calls => Volatile.Read(ref _calls);

    public static HttpResponseMessage Ok() => Json(HttpStatusCode.OK, "{\"ok\":true,\"result\":true}");

    public static HttpResponseMessage Json(HttpStatusCode status, string body)
        => new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // CopyToAsync serializes without buffering the content, like a real transport does.
        byte[] body = [];
        if (request.Content is not null)
        {
            using var ms = new MemoryStream();
            await request.Content.CopyToAsync(ms, cancellationToken);
            body = ms.ToArray();
        }

        var n = Interlocked.Increment(ref _calls);
        lock (Sent)
        {
            Sent.Add((request.RequestUri!.ToString(), body, request.Content?.Headers.ContentType?.ToString(), DateTimeOffset.UtcNow));
        }

        return _respond(request, n);
    }
}
