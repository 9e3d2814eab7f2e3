namespace BotResilience.Telegram;

/// <summary>A 429 the handler received.</summary>
public sealed class BotApiFloodWaitEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="method">The method.</param>
    /// <param name="chatId">The chat, when the request had one.</param>
    /// <param name="retryAfter">The server-given wait.</param>
    /// <param name="scopes">The flood-gate scopes paused (bot id and chat only, never the token).</param>
    /// <param name="willRetry">Whether the handler retries.</param>
    public BotApiFloodWaitEventArgs(string method, string? chatId, TimeSpan retryAfter, IReadOnlyList<string> scopes, bool willRetry)
    {
        Method = method;
        ChatId = chatId;
        RetryAfter = retryAfter;
        Scopes = scopes;
        WillRetry = willRetry;
    }

    /// <summary>The method.</summary>
    public string Method { get; }

    /// <summary>The chat, when the request had one.</summary>
    public string? ChatId { get; }

    /// <summary>The server-given wait.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>The flood-gate scopes paused (<c>bot:&lt;id&gt;</c>, <c>chat:&lt;id&gt;:&lt;chat&gt;</c>); empty for non-sending methods.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary><see langword="true"/> when the handler retries; <see langword="false"/> when the 429 goes back to the caller.</summary>
    public bool WillRetry { get; }
}
