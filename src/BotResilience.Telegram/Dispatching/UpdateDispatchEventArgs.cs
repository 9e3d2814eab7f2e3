namespace BotResilience.Telegram.Dispatching;

/// <summary>A handler that failed or timed out.</summary>
/// <typeparam name="TUpdate">The update type.</typeparam>
public sealed class UpdateHandlerFaultEventArgs<TUpdate> : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="update">The update.</param>
    /// <param name="updateId">Its id, when known.</param>
    /// <param name="timedOut">Whether the handler timed out (else it threw).</param>
    /// <param name="elapsed">How long it ran before the fault.</param>
    /// <param name="exception">The exception, when it threw.</param>
    public UpdateHandlerFaultEventArgs(TUpdate update, long? updateId, bool timedOut, TimeSpan elapsed, Exception? exception)
    {
        Update = update;
        UpdateId = updateId;
        TimedOut = timedOut;
        Elapsed = elapsed;
        Exception = exception;
    }

    /// <summary>The update.</summary>
    public TUpdate Update { get; }

    /// <summary>Its id, when known.</summary>
    public long? UpdateId { get; }

    /// <summary><see langword="true"/> when the handler exceeded <see cref="UpdateDispatcherOptions.HandlerTimeout"/>.</summary>
    public bool TimedOut { get; }

    /// <summary>How long the handler ran before the fault was reported.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The exception the handler threw (<see langword="null"/> for a timeout).</summary>
    public Exception? Exception { get; }
}
