namespace BotResilience.RateLimiting;

/// <summary>
/// Everything a set of limits that must all hold shares, whatever the number of instances (one for a limiter,
/// one per key for a keyed limiter): validated specs, clock, queue limit, metric tags.
/// </summary>
internal sealed class LimiterDefinition
{
    public LimiterDefinition(IEnumerable<RateLimitOptions> limits, TimeProvider? timeProvider, string kind, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(limits, parameterName);
        TimeProvider = timeProvider ?? TimeProvider.System;
        CustomClock = LimiterClock.CustomClockOf(TimeProvider);
        Frequency = TimeProvider.TimestampFrequency;
        var specs = new List<LimitSpec>();
        foreach (var options in limits)
        {
            if (options is null)
            {
                throw new ArgumentException("The limit definitions must not contain null.", parameterName);
            }

            specs.Add(options.ToSpec(Frequency));
        }

        if (specs.Count == 0)
        {
            throw new ArgumentException("At least one limit definition is required.", parameterName);
        }

        Specs = [.. specs];
        MaxPermits = int.MaxValue;
        QueueLimit = int.MaxValue;
        string? name = null;
        foreach (var spec in Specs)
        {
            MaxPermits = Math.Min(MaxPermits, spec.Limit);
            QueueLimit = Math.Min(QueueLimit, spec.QueueLimit);
            name ??= spec.Name;
        }

        Name = name ?? kind;
        Kind = kind;
        NameTag = new KeyValuePair<string, object?>("limiter", Name);
        KindTag = new KeyValuePair<string, object?>("kind", kind);
        CoarseFastPath = CustomClock is null && CoarseClock.Enabled && Specs.Length == 1;
        PermitLimitName = Specs.Length == 1 && Specs[0].Kind == LimitKind.TokenBucket ? "TokenLimit" : "PermitLimit";
    }

    public TimeProvider TimeProvider { get; }

    /// <summary><see langword="null"/> for the system clock (read the stopwatch directly).</summary>
    public TimeProvider? CustomClock { get; }

    public long Frequency { get; }

    /// <summary>
    /// A single limit on the system clock where <see cref="CoarseClock"/> is usable: successful acquisitions may
    /// take the grant-only coarse fast path (<see cref="LimiterCore.TryAcquireCoarse"/>).
    /// </summary>
    public bool CoarseFastPath { get; }

    public LimitSpec[] Specs { get; }

    public int MaxPermits { get; }

    public int QueueLimit { get; }

    public string Name { get; }

    public string Kind { get; }

    public string PermitLimitName { get; }

    public KeyValuePair<string, object?> NameTag { get; }

    public KeyValuePair<string, object?> KindTag { get; }

    public long Now() => LimiterClock.Now(CustomClock);

    public TimeSpan ToTimeSpan(long ticks) => LimiterClock.ToTimeSpan(ticks, Frequency);
}
