using System.Threading.RateLimiting;

namespace BotResilience.RateLimiting;

/// <summary>Presents an <see cref="IKeyedRateLimiter{TKey}"/> as a <see cref="PartitionedRateLimiter{TResource}"/> keyed by the resource itself.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
internal sealed class PartitionedRateLimiterAdapter<TKey> : PartitionedRateLimiter<TKey>
    where TKey : notnull
{
    private readonly IKeyedRateLimiter<TKey> _limiter;
    private readonly KeyedRateLimiter<TKey>? _keyed;
    private readonly LeaseCounter _leases = new();

    public PartitionedRateLimiterAdapter(IKeyedRateLimiter<TKey> limiter)
    {
        _limiter = limiter;
        _keyed = limiter as KeyedRateLimiter<TKey>;
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics(TKey resource)
    {
        var core = _keyed?.Find(resource);
        long available = _keyed is null ? 0 : _keyed.Definition.MaxPermits;
        var queued = 0;
        if (core is not null)
        {
            available = core.AvailablePermits(core.Definition.Now());
            queued = core.QueuedPermits;
        }

        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = available,
            CurrentQueuedCount = queued,
            TotalSuccessfulLeases = _leases.Successful,
            TotalFailedLeases = _leases.Failed,
        };
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(TKey resource, int permitCount)
    {
        if (permitCount == 0)
        {
            var core = _keyed?.Find(resource);
            return _leases.Count(core is null ? RateLimitDecision.Granted : core.Probe(core.Definition.Now(), 1));
        }

        return _leases.Count(_limiter.TryAcquire(resource, permitCount));
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(TKey resource, int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 0)
        {
            return cancellationToken.IsCancellationRequested
                ? ValueTask.FromCanceled<RateLimitLease>(cancellationToken)
                : new ValueTask<RateLimitLease>(AttemptAcquireCore(resource, 0));
        }

        var pending = _limiter.AcquireAsync(resource, permitCount, cancellationToken);
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
