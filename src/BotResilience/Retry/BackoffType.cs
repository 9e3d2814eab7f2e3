namespace BotResilience.Retry;

/// <summary>How the delay between retries grows. Server-given flood waits ignore this and are honoured exactly.</summary>
public enum BackoffType
{
    /// <summary>Every retry waits <see cref="RetryOptions.Delay"/> (±25 % with jitter).</summary>
    Constant,

    /// <summary>Retry <c>n</c> (1-based) waits <c>n × Delay</c> (±25 % with jitter).</summary>
    Linear,

    /// <summary>
    /// Retry <c>n</c> (1-based) waits <c>Delay × 2^(n-1)</c>; with jitter, AWS "decorrelated jitter":
    /// <c>d(n) = min(MaxDelay, random(Delay, 3 × d(n-1)))</c> with <c>d(0) = Delay</c>.
    /// </summary>
    Exponential,
}
