namespace BotResilience.Telegram.Testing;

/// <summary>One request the emulator answered: the method, its parameters and the HTTP status it got.</summary>
public sealed class BotApiCall
{
    internal BotApiCall(string method, int statusCode, IReadOnlyDictionary<string, string> parameters, DateTimeOffset receivedAt, long receivedTimestamp)
    {
        Method = method;
        StatusCode = statusCode;
        Parameters = parameters;
        ReceivedAt = receivedAt;
        ReceivedTimestamp = receivedTimestamp;
    }

    /// <summary>Gets the method as the client spelled it.</summary>
    public string Method { get; }

    /// <summary>Gets the HTTP status of the answer (0 when the connection was dropped).</summary>
    public int StatusCode { get; }

    /// <summary>Gets the text parameters (file parts are not included; JSON objects as raw JSON).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Gets when the request arrived (<see cref="BotApiEmulatorOptions.TimeProvider"/>'s UTC clock).</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Gets the monotonic timestamp of arrival (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long ReceivedTimestamp { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Method} → {StatusCode}";
}
