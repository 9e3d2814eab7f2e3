namespace BotResilience.Retry;

/// <summary>
/// Thrown instead of sleeping when a server-given wait cannot or should not be honoured in place: it is longer
/// than <see cref="RetryOptions.FloodWaitThreshold"/>, it would end after the caller's overall deadline, or a paused
/// flood-gate scope stays closed longer than the caller can wait. The caller decides what to do (reply "try later",
/// schedule the work, give up); nothing has been retried early.
/// </summary>
public sealed class FloodWaitException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public FloodWaitException()
        : this(TimeSpan.Zero, null, null)
    {
    }

    /// <summary>Creates the exception with a custom message.</summary>
    /// <param name="message">The message.</param>
    public FloodWaitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a custom message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FloodWaitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a wait of <paramref name="retryAfter"/> in <paramref name="scope"/>.</summary>
    /// <param name="retryAfter">How long the caller still has to wait before the scope accepts calls again.</param>
    /// <param name="scope">The paused scope, when known.</param>
    /// <param name="inner">The exception that carried the flood wait, if any.</param>
    public FloodWaitException(TimeSpan retryAfter, string? scope, Exception? inner = null)
        : base(CreateMessage(retryAfter, scope), inner)
    {
        RetryAfter = retryAfter;
        Scope = scope;
    }

    /// <summary>How long the caller still has to wait before the scope accepts calls again.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>The paused scope (for example <c>chat:-100123</c>), or <see langword="null"/> when unknown.</summary>
    public string? Scope { get; }

    private static string CreateMessage(TimeSpan retryAfter, string? scope) =>
        scope is null
            ? $"Flood wait of {retryAfter.TotalSeconds:0.###} s: not retried in place."
            : $"Flood wait of {retryAfter.TotalSeconds:0.###} s in scope '{scope}': not retried in place.";
}
