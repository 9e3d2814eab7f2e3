using System.Threading.RateLimiting;

namespace BotResilience.RateLimiting;

/// <summary>Presents an <see cref="IRateLimiter"/> as a <see cref="RateLimiter"/>.</summary>
internal sealed class RateLimiterAdapter : RateLimiter
{
    private readonly IRateLimiter _limiter;
    private readonly LimiterCore? _core;
    private readonly LeaseCounter _leases = new();

    public RateLimiterAdapter(IRateLimiter limiter)
    {
        _limiter = limiter;
        _core = (limiter as ICoreBackedLimiter)?.Core;
    }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => _core?.IdleDuration(_core.Definition.Now());

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => new()
    {
        CurrentAvailablePermits = _core?.AvailablePermits(_core.Definition.Now()) ?? 0,
        CurrentQueuedCount = _core?.QueuedPermits ?? 0,
        TotalSuccessfulLeases = _leases.Successful,
        TotalFailedLeases = _leases.Failed,
    };

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (permitCount == 0)
        {
            // As in System.Threading.RateLimiting: report whether a permit is available, consume nothing.
            // A limiter of another kind cannot be probed: report success without consuming.
            return _leases.Count(_core is null ? RateLimitDecision.Granted : _core.Probe(_core.Definition.Now(), 1));
        }

        return _leases.Count(_limiter.TryAcquire(permitCount));
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 0)
        {
            return cancellationToken.IsCancellationRequested
                ? ValueTask.FromCanceled<RateLimitLease>(cancellationToken)
                : new ValueTask<RateLimitLease>(AttemptAcquireCore(0));
        }

        var pending = _limiter.AcquireAsync(permitCount, cancellationToken);
        return _leases.Count(pending);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _limiter is IDisposable disposable)
        {
            disposable.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override ValueTask DisposeAsyncCore()
    {
        if (_limiter is IDisposable disposable)
        {
            disposable.Dispose();
        }

        return base.DisposeAsyncCore();
    }
}
