using System.Threading.RateLimiting;

namespace BotResilience.RateLimiting;

/// <summary>A <see cref="RateLimitLease"/> for a <see cref="RateLimitDecision"/>; refusals carry <see cref="MetadataName.RetryAfter"/>.</summary>
internal sealed class RateLimitDecisionLease : RateLimitLease
{
    /// <summary>The shared granted lease (nothing to release: permits of rate limits are not returned).</summary>
    public static readonly RateLimitDecisionLease Acquired = new(true, null);

    private static readonly string[] RetryAfterNames = [MetadataName.RetryAfter.Name];

    private readonly object? _retryAfter;

    private RateLimitDecisionLease(bool isAcquired, object? retryAfter)
    {
        IsAcquired = isAcquired;
        _retryAfter = retryAfter;
    }

    /// <inheritdoc />
    public override bool IsAcquired { get; }

    /// <inheritdoc />
    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : RetryAfterNames;

    public static RateLimitLease From(RateLimitDecision decision) =>
        decision.IsGranted ? Acquired : new RateLimitDecisionLease(false, decision.RetryAfter);

    /// <inheritdoc />
    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is not null && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = _retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}
