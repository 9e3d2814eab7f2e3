namespace BotResilience.RateLimiting;

/// <summary>
/// Several limits that must all hold (for example 10 per second and 200 per minute), applied atomically: either
/// every limit grants and all consume, or none consumes anything. A refusal carries the longest wait over the
/// limits. The queue limit is the smallest <see cref="RateLimitOptions.QueueLimit"/> of the parts and the metric
/// name the first non-null <see cref="RateLimitOptions.Name"/>. Thread-safe.
/// </summary>
public sealed class CompositeLimiter : IRateLimiter, IDisposable, ICoreBackedLimiter
{
    private readonly LimiterDefinition _definition;
    private readonly LimiterCore _core;

    /// <summary>Creates the limiter; the options are validated and copied.</summary>
    /// <param name="limits">The limits (<see cref="SlidingWindowLimiterOptions"/> and/or <see cref="TokenBucketLimiterOptions"/>); at least one.</param>
    /// <param name="timeProvider">The clock and timer source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range.</exception>
    public CompositeLimiter(IEnumerable<RateLimitOptions> limits, TimeProvider? timeProvider = null)
    {
        _definition = new LimiterDefinition(limits, timeProvider, "composite", nameof(limits));
        _core = new LimiterCore(_definition, _definition.Now());
    }

    /// <summary>Gets the name reported in metrics (the options' <c>Name</c>, or <c>composite</c>).</summary>
    public string Name => _definition.Name;

    /// <summary>Gets the number of permits currently queued by <see cref="AcquireAsync(int, CancellationToken)"/> callers.</summary>
    public int QueuedPermits => _core.QueuedPermits;

    LimiterCore ICoreBackedLimiter.Core => _core;

    /// <inheritdoc />
    public RateLimitDecision TryAcquire(int permits = 1)
    {
        _core.ValidatePermits(permits);
        _core.TryAcquire(_definition.Now(), permits, out var decision);
        return decision;
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitDecision>(cancellationToken);
        }

        return new ValueTask<RateLimitDecision>(TryAcquire(permits));
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
    {
        _core.ValidatePermits(permits);
        _core.AcquireAsync(_definition.Now(), permits, cancellationToken, out var result);
        return result;
    }

    /// <summary>Releases queued waiters with an <see cref="ObjectDisposedException"/>; later acquisitions throw it.</summary>
    public void Dispose() => _core.Dispose();
}
