namespace BotResilience.Telegram.Testing.Protocol;

/// <summary>A transport-neutral HTTP request, built by the Kestrel host or by the in-memory handler.</summary>
internal sealed class BotApiRequest
{
    public BotApiRequest(string httpMethod, string path, string? queryString, string? contentType, byte[] body)
    {
        HttpMethod = httpMethod;
        Path = path;
        QueryString = queryString;
        ContentType = contentType;
        Body = body;
    }

    public string HttpMethod { get; }

    public string Path { get; }

    public string? QueryString { get; }

    public string? ContentType { get; }

    public byte[] Body { get; }
}
