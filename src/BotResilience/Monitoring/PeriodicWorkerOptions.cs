namespace BotResilience.Monitoring;

/// <summary>Options for <see cref="SupervisedWorker"/>.</summary>
public sealed class PeriodicWorkerOptions
{
    /// <summary>Gets or sets the worker's name, used in logs, events, metric tags and as its watchdog source name.</summary>
    /// <value>The default is <c>"worker"</c>. Must not be empty.</value>
    public string Name { get; set; } = "worker";

    /// <summary>
    /// Gets or sets the time between iteration starts after a success (an iteration that ran longer than this is
    /// followed at once by the next; iterations never overlap and missed ones are not caught up).
    /// </summary>
    /// <value>The default is 60 seconds. Allowed: greater than zero.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how long one iteration may run before its token is cancelled (outcome <see cref="WorkerIterationOutcome.TimedOut"/>);
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    /// <value>The default is 120 seconds (seed 004). Allowed: greater than zero, or <see cref="Timeout.InfiniteTimeSpan"/>.</value>
    public TimeSpan IterationTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets or sets the wait before the first iteration.</summary>
    /// <value>The default is zero. Allowed: zero or more.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Gets or sets the cap of the failure backoff. After <c>n</c> consecutive failed or timed-out iterations the
    /// worker waits <c>max(Interval, min(MaxBackoff, Interval · 2^n))</c> from the end of the failed iteration.
    /// </summary>
    /// <value>The default is 5 minutes. Allowed: greater than zero.</value>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets an extra liveness source the worker beats at the START and END of every iteration.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public LivenessSource? LivenessSource { get; set; }

    /// <summary>
    /// Gets or sets the silence limit of the source the worker registers (named <see cref="Name"/>) when it is given a
    /// <see cref="Watchdog"/>; <see langword="null"/> uses <c>2 · (InitialDelay + max(Interval, MaxBackoff) + IterationTimeout)</c>
    /// (the timeout counts as zero when infinite).
    /// </summary>
    /// <value>The default is <see langword="null"/>. Allowed: greater than zero.</value>
    public TimeSpan? WatchdogSilenceLimit { get; set; }

    /// <summary>Throws when an option is outside its allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="Name"/> is null or empty.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("PeriodicWorkerOptions.Name must be a non-empty string.", nameof(Name));
        }

        if (Interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "PeriodicWorkerOptions.Interval must be greater than zero.");
        }

        if (IterationTimeout <= TimeSpan.Zero && IterationTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(IterationTimeout), IterationTimeout, "PeriodicWorkerOptions.IterationTimeout must be greater than zero or Timeout.InfiniteTimeSpan.");
        }

        if (InitialDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialDelay), InitialDelay, "PeriodicWorkerOptions.InitialDelay must be zero or more.");
        }

        if (MaxBackoff <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff, "PeriodicWorkerOptions.MaxBackoff must be greater than zero.");
        }

        if (WatchdogSilenceLimit is { } limit && limit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WatchdogSilenceLimit), limit, "PeriodicWorkerOptions.WatchdogSilenceLimit must be greater than zero.");
        }
    }

    internal PeriodicWorkerOptions Clone() => (PeriodicWorkerOptions)MemberwiseClone();

    internal TimeSpan DefaultWatchdogSilenceLimit()
    {
        var timeout = IterationTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : IterationTimeout;
        var wait = Interval > MaxBackoff ? Interval : MaxBackoff;
        return 2 * (InitialDelay + wait + timeout);
    }

    /// <summary>The wait after <paramref name="consecutiveFailures"/> failures: <c>max(Interval, min(MaxBackoff, Interval · 2^n))</c>.</summary>
    internal TimeSpan BackoffAfter(int consecutiveFailures)
    {
        double factor = Math.Pow(2, Math.Min(consecutiveFailures, 62));
        double ticks = Math.Min(MaxBackoff.Ticks, Interval.Ticks * factor);
        return TimeSpan.FromTicks(Math.Max(Interval.Ticks, (long)ticks));
    }
}
