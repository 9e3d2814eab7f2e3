namespace BotResilience.Retry;

/// <summary>Describes a pause that moved a <see cref="FloodGate"/> scope's deadline later.</summary>
public sealed class FloodGatePausedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="scope">The paused scope.</param>
    /// <param name="duration">The requested pause.</param>
    /// <param name="deadline">When the scope opens again (wall clock, for display only).</param>
    public FloodGatePausedEventArgs(string scope, TimeSpan duration, DateTimeOffset deadline)
    {
        Scope = scope;
        Duration = duration;
        Deadline = deadline;
    }

    /// <summary>The paused scope.</summary>
    public string Scope { get; }

    /// <summary>The requested pause.</summary>
    public TimeSpan Duration { get; }

    /// <summary>
    /// When the scope opens again, in UTC wall-clock time (informational: the gate itself uses monotonic timestamps,
    /// so a wall-clock jump does not change the pause).
    /// </summary>
    public DateTimeOffset Deadline { get; }
}
