namespace BotResilience.Monitoring;

/// <summary>Describes a liveness source that went stale or recovered.</summary>
public sealed class WatchdogSourceEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="status">The source's status when the change was detected.</param>
    public WatchdogSourceEventArgs(LivenessSourceStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
    }

    /// <summary>Gets the source's status when the change was detected.</summary>
    public LivenessSourceStatus Status { get; }
}
