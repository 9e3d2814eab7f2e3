namespace BotResilience.CircuitBreaking;

/// <summary>
/// Counts successes and failures over a sliding sampling window made of a ring of time buckets, rolled lazily
/// from timestamps (no timer). Not thread-safe: the breaker calls it under its lock.
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
            _bucketNumbers[slot] = number;
            _successes[slot] = 0;
            _failures[slot] = 0;
        }

        if (failure)
        {
            _failures[slot]++;
        }
        else
        {
            _successes[slot]++;
        }
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
                total += _failures[i] + _successes[i];
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
