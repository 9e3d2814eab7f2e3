namespace BotResilience.RateLimiting;

/// <summary>
/// The definition of one limit. Concrete definitions are <see cref="SlidingWindowLimiterOptions"/> and
/// <see cref="TokenBucketLimiterOptions"/>; limiters copy and validate the values at construction, so later
/// changes to an options instance do not affect a limiter already built from it.
/// </summary>
public abstract class RateLimitOptions
{
    private protected RateLimitOptions()
    {
    }

    /// <summary>
    /// Gets or sets the maximum number of permits that <c>AcquireAsync</c> callers may have queued at once
    /// (counted in permits, like System.Threading.RateLimiting). When a request would exceed it,
    /// <c>AcquireAsync</c> returns a <see cref="RateLimitOutcome.QueueFull"/> decision at once.
    /// <c>0</c> disables queueing.
    /// </summary>
    /// <value>The default is <c>1000</c>. Allowed range: <c>0</c> to <see cref="int.MaxValue"/>.</value>
    public int QueueLimit { get; set; } = 1000;

    /// <summary>
    /// Gets or sets the name reported as the <c>limiter</c> tag of the rate-limiter metrics.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the kind of limiter (<c>sliding_window</c>, <c>token_bucket</c>, <c>composite</c>, <c>keyed</c>) is reported.</value>
    public string? Name { get; set; }

    internal abstract LimitSpec ToSpec(long timestampFrequency);

    /// <summary>Creates the exception for an option outside its range; the option's name is the parameter name.</summary>
    private protected static ArgumentOutOfRangeException OutOfRange(string optionName, object actualValue, string message) =>
        new(optionName, actualValue, message);

    private protected static void ValidateQueueLimit(int queueLimit, string optionsType)
    {
        if (queueLimit < 0)
        {
            throw OutOfRange(
                nameof(QueueLimit),
                queueLimit,
                $"{optionsType}.{nameof(QueueLimit)} must be between 0 and {int.MaxValue}; was {queueLimit}.");
        }
    }
}
