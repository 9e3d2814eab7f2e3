namespace BotResilience.RateLimiting;

/// <summary>
/// An exact sliding-window limiter: for every interval of length <see cref="SlidingWindowLimiterOptions.Window"/>
/// at most <see cref="SlidingWindowLimiterOptions.PermitLimit"/> permits are granted. Keeps a sliding log
/// (ring buffer) of grant timestamps; owns no timer except while <c>AcquireAsync</c> callers wait. Thread-safe.
/// </summary>
public sealed class SlidingWindowLimiter : IRateLimiter, IDisposable, ICoreBackedLimiter
{
    private readonly LimiterDefinition _definition;
    private readonly LimiterCore _core;

    /// <summary>Creates the limiter; the options are validated and copied.</summary>
    /// <param name="options">The limit.</param>
    /// <param name="timeProvider">The clock and timer source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range.</exception>
    public SlidingWindowLimiter(SlidingWindowLimiterOptions options, TimeProvider? timeProvider = null)
    {
        _definition = new LimiterDefinition([options ?? throw new ArgumentNullException(nameof(options))], timeProvider, "sliding_window", nameof(options));
        _core = new LimiterCore(_definition, _definition.Now());
    }

    /// <summary>Gets the name reported in metrics (the options' <c>Name</c>, or <c>sliding_window</c>).</summary>
    public string Name => _definition.Name;

    /// <summary>Gets the number of permits currently queued by <see cref="AcquireAsync(int, CancellationToken)"/> callers.</summary>
    public int QueuedPermits => _core.QueuedPermits;

    LimiterCore ICoreBackedLimiter.Core => _core;

    /// <inheritdoc />
    public RateLimitDecision TryAcquire(int permits = 1)
    {
        _core.ValidatePermits(permits);
        if (_definition.CoarseFastPath && _core.TryAcquireCoarse(CoarseClock.LowerBound(), permits))
        {
            return RateLimitDecision.Granted;
        }

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
        if (_definition.CoarseFastPath && !cancellationToken.IsCancellationRequested && _core.TryAcquireCoarse(CoarseClock.LowerBound(), permits))
        {
            return new ValueTask<RateLimitDecision>(RateLimitDecision.Granted);
        }

        _core.AcquireAsync(_definition.Now(), permits, cancellationToken, out var result);
        return result;
    }

    /// <summary>Releases queued waiters with an <see cref="ObjectDisposedException"/>; later acquisitions throw it.</summary>
    public void Dispose() => _core.Dispose();
}
