namespace BotResilience.Telegram.Polling;

/// <summary>
/// Long polling stopped on an error that retrying cannot fix: 401 (bad token), 409 (another <c>getUpdates</c> or a
/// webhook is active) or another 4xx. The message never contains the token.
/// </summary>
public sealed class BotApiPollingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The Bot API error code.</param>
    /// <param name="message">The message (already redacted).</param>
    public BotApiPollingException(int errorCode, string message)
        : base(message)
        => ErrorCode = errorCode;

    /// <summary>Creates the exception.</summary>
    public BotApiPollingException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public BotApiPollingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BotApiPollingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The Bot API error code (401, 409...).</summary>
    public int ErrorCode { get; }
}
