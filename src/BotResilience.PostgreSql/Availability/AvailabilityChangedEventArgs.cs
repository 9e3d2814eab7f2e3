namespace BotResilience.PostgreSql.Availability;

/// <summary>Raised when a component loses or regains its database.</summary>
public sealed class AvailabilityChangedEventArgs : EventArgs
{
    internal AvailabilityChangedEventArgs(string component, bool isAvailable, Exception? error)
    {
        Component = component;
        IsAvailable = isAvailable;
        Error = error;
    }

    /// <summary>The component (for example <c>limiter:telegram-global</c>, <c>flood-gate</c>).</summary>
    public string Component { get; }

    /// <summary><see langword="true"/> when the database answers again; <see langword="false"/> when it was lost.</summary>
    public bool IsAvailable { get; }

    /// <summary>The error that made the database unavailable; <see langword="null"/> on recovery.</summary>
    public Exception? Error { get; }
}
