namespace BotResilience.RateLimiting;

/// <summary>Gives the adapters access to the engine of an in-box limiter (statistics, idle duration).</summary>
internal interface ICoreBackedLimiter
{
    LimiterCore Core { get; }
}
