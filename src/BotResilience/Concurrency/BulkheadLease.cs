namespace BotResilience.Concurrency;

/// <summary>
/// A slot of a <see cref="PriorityBulkhead"/>. <see cref="Dispose"/> releases it and hands it to the next waiter.
/// </summary>
/// <remarks>
/// Every grant carries a slot version: disposing the same lease twice (or a copy of it) releases the slot only
/// once; later calls are no-ops, even if the slot has been granted to someone else meanwhile.
/// <c>default(BulkheadLease)</c> holds nothing and its <see cref="Dispose"/> does nothing.
/// </remarks>
public readonly struct BulkheadLease : IDisposable, IEquatable<BulkheadLease>
{
    private readonly PriorityBulkhead? _owner;
    private readonly int _slot;
    private readonly long _version;

    internal BulkheadLease(PriorityBulkhead owner, int slot, long version)
    {
        _owner = owner;
        _slot = slot;
        _version = version;
    }

    /// <summary><see langword="true"/> while this lease holds its slot (acquired and not yet disposed).</summary>
    public bool IsActive => _owner is not null && _owner.IsLeaseActive(_slot, _version);

    /// <summary>Compares two leases.</summary>
    /// <param name="left">A lease.</param>
    /// <param name="right">Another lease.</param>
    /// <returns><see langword="true"/> when both denote the same grant.</returns>
    public static bool operator ==(BulkheadLease left, BulkheadLease right) => left.Equals(right);

    /// <summary>Compares two leases.</summary>
    /// <param name="left">A lease.</param>
    /// <param name="right">Another lease.</param>
    /// <returns><see langword="true"/> when they denote different grants.</returns>
    public static bool operator !=(BulkheadLease left, BulkheadLease right) => !left.Equals(right);

    /// <summary>Releases the slot (once); hands it to the highest-priority waiter if any.</summary>
    public void Dispose() => _owner?.Release(_slot, _version);

    /// <inheritdoc />
    public bool Equals(BulkheadLease other) => ReferenceEquals(_owner, other._owner) && _slot == other._slot && _version == other._version;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BulkheadLease other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_owner, _slot, _version);
}
