namespace BotResilience.PostgreSql.Leadership;

/// <summary>Raised when this process becomes leader or loses leadership.</summary>
public sealed class LeadershipChangedEventArgs : EventArgs
{
    internal LeadershipChangedEventArgs(string name, bool isLeader, Exception? error)
    {
        Name = name;
        IsLeader = isLeader;
        Error = error;
    }

    /// <summary>The lock's name.</summary>
    public string Name { get; }

    /// <summary><see langword="true"/> when leadership was acquired; <see langword="false"/> when it ended.</summary>
    public bool IsLeader { get; }

    /// <summary>Why leadership was lost (the dedicated connection failed); <see langword="null"/> on acquisition or a clean release.</summary>
    public Exception? Error { get; }
}
