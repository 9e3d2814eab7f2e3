namespace BotResilience.Monitoring;

/// <summary>
/// A named heartbeat (webhook traffic, a polling loop, a worker) watched by a <see cref="Watchdog"/>.
/// Obtain one from <see cref="Watchdog.Register(string, TimeSpan)"/> and call <see cref="Beat"/> whenever the
/// component shows signs of life: one timestamp read and one volatile write, no allocation, no lock.
/// </summary>
public sealed class LivenessSource
{
    internal const long NeverBeat = long.MinValue;

    private readonly TimeProvider _timeProvider;
    private long _lastBeat = NeverBeat;

    internal LivenessSource(string name, TimeSpan silenceLimit, WatchdogAction action, TimeProvider timeProvider, long registeredAt)
    {
        Name = name;
        SilenceLimit = silenceLimit;
        Action = action;
        _timeProvider = timeProvider;
        RegisteredAt = registeredAt;
    }

    /// <summary>Gets the source's name.</summary>
    public string Name { get; }

    /// <summary>Gets how long the source may stay silent before it is stale.</summary>
    public TimeSpan SilenceLimit { get; }

    /// <summary>Gets the action taken when the source goes stale.</summary>
    public WatchdogAction Action { get; }

    /// <summary>Gets whether the source has beaten at least once.</summary>
    public bool HasBeaten => Volatile.Read(ref _lastBeat) != NeverBeat;

    /// <summary>Gets the time since the last beat, or <see langword="null"/> if it never beat.</summary>
    public TimeSpan? TimeSinceLastBeat
    {
        get
        {
            var last = Volatile.Read(ref _lastBeat);
            return last == NeverBeat ? null : _timeProvider.GetElapsedTime(last);
        }
    }

    internal long RegisteredAt { get; }

    internal long LastBeatTimestamp => Volatile.Read(ref _lastBeat);

    /// <summary>Guarded by the watchdog's check lock: whether the current stale episode was already reported.</summary>
    internal bool StaleReported { get; set; }

    /// <summary>Records a heartbeat now. Allocation-free and lock-free.</summary>
    public void Beat() => Volatile.Write(ref _lastBeat, _timeProvider.GetTimestamp());
}
