namespace BotResilience.RateLimiting;

/// <summary>A validated, immutable limit definition in timestamp ticks; creates fresh per-limiter (or per-key) state.</summary>
internal sealed class LimitSpec
{
    private LimitSpec(LimitKind kind, int limit, long ticks, int tokensPerPeriod, int queueLimit, string? name)
    {
        Kind = kind;
        Limit = limit;
        Ticks = ticks;
        TokensPerPeriod = tokensPerPeriod;
        QueueLimit = queueLimit;
        Name = name;
    }

    public LimitKind Kind { get; }

    /// <summary>PermitLimit or TokenLimit: the most permits one request can ask for.</summary>
    public int Limit { get; }

    /// <summary>Window or replenishment period, in timestamp ticks.</summary>
    public long Ticks { get; }

    public int TokensPerPeriod { get; }

    public int QueueLimit { get; }

    public string? Name { get; }

    public static LimitSpec SlidingWindow(int permitLimit, long windowTicks, int queueLimit, string? name) =>
        new(LimitKind.SlidingWindow, permitLimit, windowTicks, 0, queueLimit, name);

    public static LimitSpec TokenBucket(int tokenLimit, int tokensPerPeriod, long periodTicks, int queueLimit, string? name) =>
        new(LimitKind.TokenBucket, tokenLimit, periodTicks, tokensPerPeriod, queueLimit, name);

    public LimitState CreateState(long now) => Kind switch
    {
        LimitKind.SlidingWindow => new SlidingLogState(Limit, Ticks),
        _ => new TokenBucketState(Limit, TokensPerPeriod, Ticks, now),
    };
}
