using System.Net;
using System.Net.Http.Headers;
using BotResilience.Telegram.Testing.Protocol;

namespace BotResilience.Telegram.Testing.Hosting;

/// <summary>Serves the emulator's Bot API to an <see cref="HttpClient"/> without sockets.</summary>
internal sealed class InMemoryBotApiHandler : HttpMessageHandler
{
    private readonly BotApiEngine _engine;

    public InMemoryBotApiHandler(BotApiEngine engine) => _engine = engine;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        if (!uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException("The request URI must be absolute (set HttpClient.BaseAddress).");
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var contentType = request.Content?.Headers.ContentType?.ToString();
        var apiRequest = new BotApiRequest(request.Method.Method, uri.AbsolutePath, uri.Query, contentType, body);
        var response = await _engine.ProcessAsync(apiRequest, cancellationToken).ConfigureAwait(false);
        if (response.AbortConnection)
        {
            throw new HttpRequestException(HttpRequestError.ResponseEnded,
                "The Bot API emulator dropped the connection (fault injection).",
                new IOException("The response ended prematurely (connection dropped by the emulator)."));
        }

        var content = new ByteArrayContent(response.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpResponseMessage((HttpStatusCode)response.StatusCode)
        {
            Content = content,
            RequestMessage = request,
            Version = request.Version,
        };
    }
}
