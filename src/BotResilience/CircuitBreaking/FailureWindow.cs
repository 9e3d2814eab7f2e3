namespace BotResilience.CircuitBreaking;

/// <summary>
/// Counts successes and failures over a sliding sampling window made of a ring of time buckets, rolled lazily
/// from timestamps (no timer). The breaker calls it under its lock, except <see cref="TryRecordSuccess"/>, the
/// lock-free success path of the closed state.
/// </summary>
internal sealed class FailureWindow
{
    internal const int BucketCount = 10;

    private readonly long _bucketWidth; // in TimeProvider timestamp units
    private readonly long[] _bucketNumbers = new long[BucketCount];
    private readonly int[] _successes = new int[BucketCount];
    private readonly int[] _failures = new int[BucketCount];

    public FailureWindow(long samplingDurationUnits)
    {
        _bucketWidth = Math.Max(1, samplingDurationUnits / BucketCount);
        Clear();
    }

    /// <summary>Adds one outcome at <paramref name="timestamp"/>.</summary>
    public void Record(long timestamp, bool failure)
    {
        var number = timestamp / _bucketWidth;
        var slot = (int)(number % BucketCount);
        if (_bucketNumbers[slot] != number)
        {
            Volatile.Write(ref _successes[slot], 0);
            _failures[slot] = 0;
            Volatile.Write(ref _bucketNumbers[slot], number);
        }

        if (failure)
        {
            _failures[slot]++;
        }
        else
        {
            Interlocked.Increment(ref _successes[slot]);
        }
    }

    /// <summary>
    /// Lock-free: counts a success when the bucket of <paramref name="timestamp"/> is already the current one.
    /// A success racing a bucket roll may land in the neighbouring bucket (one bucket width later), never lost twice
    /// or counted as a failure. Returns <see langword="false"/> when the bucket must be rolled (under the lock).
    /// </summary>
    public bool TryRecordSuccess(long timestamp)
    {
        var number = timestamp / _bucketWidth;
        var slot = (int)(number % BucketCount);
        if (Volatile.Read(ref _bucketNumbers[slot]) != number)
        {
            return false;
        }

        Interlocked.Increment(ref _successes[slot]);
        return true;
    }

    /// <summary>Totals over the buckets that are still inside the window at <paramref name="timestamp"/>.</summary>
    public (int Total, int Failures) Totals(long timestamp)
    {
        var current = timestamp / _bucketWidth;
        var oldest = current - BucketCount + 1;
        int total = 0, failures = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            var number = _bucketNumbers[i];
            if (number >= oldest && number <= current)
            {
                failures += _failures[i];
                total += _failures[i] + Volatile.Read(ref _successes[i]);
            }
        }

        return (total, failures);
    }

    /// <summary>Forgets every outcome.</summary>
    public void Clear()
    {
        Array.Fill(_bucketNumbers, long.MinValue);
        Array.Clear(_successes);
        Array.Clear(_failures);
    }
}
