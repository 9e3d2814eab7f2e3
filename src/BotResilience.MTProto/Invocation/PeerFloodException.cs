namespace BotResilience.MTProto;

/// <summary>
/// Telegram answered <c>PEER_FLOOD</c>: the account is limited (often for days). The call is never retried; stop
/// doing this kind of request with this account (see @SpamBot).
/// </summary>
public sealed class PeerFloodException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PeerFloodException()
        : this("PEER_FLOOD: the account is limited by Telegram; the call was not retried.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PeerFloodException(string message)
        : base(message)
    {
        Session = string.Empty;
    }

    /// <summary>Creates the exception with a message and the original error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The original error.</param>
    public PeerFloodException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Session = string.Empty;
    }

    /// <summary>Creates the exception for <paramref name="session"/>.</summary>
    /// <param name="session">The session whose account is limited.</param>
    /// <param name="method">The method that got <c>PEER_FLOOD</c>, if known.</param>
    /// <param name="innerException">The original error (for example WTelegramClient's <c>RpcException</c>).</param>
    public PeerFloodException(string session, string? method, Exception? innerException)
        : base($"PEER_FLOOD on session '{session}'{(method is null ? string.Empty : $" ({method})")}: the account is limited by Telegram; the call was not retried.", innerException)
    {
        Session = session;
        Method = method;
    }

    /// <summary>The session whose account is limited.</summary>
    public string Session { get; }

    /// <summary>The method that got <c>PEER_FLOOD</c>, if known.</summary>
    public string? Method { get; }
}
