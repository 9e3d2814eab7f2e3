namespace BotResilience.RateLimiting;

/// <summary>The algorithm of one limit.</summary>
internal enum LimitKind
{
    SlidingWindow,
    TokenBucket,
}
