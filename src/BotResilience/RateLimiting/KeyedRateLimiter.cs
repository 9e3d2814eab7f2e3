using System.Collections.Concurrent;

namespace BotResilience.RateLimiting;

/// <summary>
/// Applies one definition (one limit, or several that must all hold) independently per key: chat, user, session.
/// State exists only for keys that still constrain something: a key whose state equals a fresh one and has no
/// waiters is dropped by an amortised sweep (a few entries per new key and every few acquisitions; no timer), so
/// memory follows the active keys. Thread-safe.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class KeyedRateLimiter<TKey> : IKeyedRateLimiter<TKey>, IDisposable
    where TKey : notnull
{
    private const int SweepEvery = 32;   // acquisitions on existing keys between two sweep steps
    private const int SweepBatch = 4;    // entries examined per sweep step

    private readonly LimiterDefinition _definition;
    private readonly ConcurrentDictionary<TKey, KeyedLimiterEntry<TKey>> _entries;
    private readonly Lock _sweepLock = new();
    private KeyedLimiterEntry<TKey>?[] _sweepList = new KeyedLimiterEntry<TKey>?[16];
    private int _sweepCount;
    private int _sweepCursor;
    private int _operations;
    private volatile bool _disposed;

    /// <summary>Creates a keyed limiter applying <paramref name="limit"/> to every key.</summary>
    /// <param name="limit">The limit applied per key.</param>
    /// <param name="timeProvider">The clock and timer source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="comparer">The key comparer; defaults to <see cref="EqualityComparer{T}.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range.</exception>
    public KeyedRateLimiter(RateLimitOptions limit, TimeProvider? timeProvider = null, IEqualityComparer<TKey>? comparer = null)
        : this([limit ?? throw new ArgumentNullException(nameof(limit))], timeProvider, comparer)
    {
    }

    /// <summary>Creates a keyed limiter applying all of <paramref name="limits"/> (atomically) to every key.</summary>
    /// <param name="limits">The limits that must all hold per key; at least one.</param>
    /// <param name="timeProvider">The clock and timer source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="comparer">The key comparer; defaults to <see cref="EqualityComparer{T}.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range.</exception>
    public KeyedRateLimiter(IEnumerable<RateLimitOptions> limits, TimeProvider? timeProvider = null, IEqualityComparer<TKey>? comparer = null)
    {
        _definition = new LimiterDefinition(limits, timeProvider, "keyed", nameof(limits));
        _entries = new ConcurrentDictionary<TKey, KeyedLimiterEntry<TKey>>(comparer);
    }

    /// <summary>Gets the name reported in metrics (the first options' <c>Name</c>, or <c>keyed</c>).</summary>
    public string Name => _definition.Name;

    /// <summary>
    /// Gets the number of keys whose state is held. Reading it first drops every idle key, so it costs
    /// O(tracked keys); it is meant for diagnostics and tests.
    /// </summary>
    public int TrackedKeyCount
    {
        get
        {
            var now = _definition.Now();
            lock (_sweepLock)
            {
                _sweepCursor = 0;
                while (!_disposed && _sweepCursor < _sweepCount)
                {
                    SweepLocked(1, now);
                }

                _sweepCursor = 0;
                return _sweepCount;
            }
        }
    }

    internal LimiterDefinition Definition => _definition;

    /// <inheritdoc />
    public RateLimitDecision TryAcquire(TKey key, int permits = 1)
    {
        if ((uint)(permits - 1) >= (uint)_definition.MaxPermits)
        {
            LimiterCore.ThrowPermitsOutOfRange(permits, _definition);
        }

        if (_definition.CoarseFastPath)
        {
            // Grant-only fast path; a state created here starts fresh (bucket full, log empty), so a lower bound of now
            // is a valid creation time.
            var low = CoarseClock.LowerBound();
            if (GetOrCreate(key, low).TryAcquireCoarse(low, permits))
            {
                return RateLimitDecision.Granted;
            }
        }

        var now = _definition.Now();
        while (true)
        {
            var entry = GetOrCreate(key, now);
            if (entry.TryAcquire(now, permits, out var decision))
            {
                return decision;
            }

            _entries.TryRemove(new KeyValuePair<TKey, KeyedLimiterEntry<TKey>>(key, entry));
        }
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(TKey key, int permits = 1, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitDecision>(cancellationToken);
        }

        return new ValueTask<RateLimitDecision>(TryAcquire(key, permits));
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> AcquireAsync(TKey key, int permits = 1, CancellationToken cancellationToken = default)
    {
        if ((uint)(permits - 1) >= (uint)_definition.MaxPermits)
        {
            LimiterCore.ThrowPermitsOutOfRange(permits, _definition);
        }

        var now = _definition.Now();
        while (true)
        {
            var entry = GetOrCreate(key, now);
            if (entry.AcquireAsync(now, permits, cancellationToken, out var result))
            {
                return result;
            }

            _entries.TryRemove(new KeyValuePair<TKey, KeyedLimiterEntry<TKey>>(key, entry));
        }
    }

    /// <summary>Releases the waiters of every key with an <see cref="ObjectDisposedException"/>; later acquisitions throw it.</summary>
    public void Dispose()
    {
        KeyedLimiterEntry<TKey>?[] entries;
        int count;
        lock (_sweepLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            entries = _sweepList;
            count = _sweepCount;
        }

        for (var i = 0; i < count; i++)
        {
            entries[i]?.Dispose();
        }
    }

    /// <summary>The state of <paramref name="key"/>, or <see langword="null"/> when none is held.</summary>
    internal LimiterCore? Find(TKey key) => _entries.TryGetValue(key, out var entry) ? entry : null;

    private KeyedLimiterEntry<TKey> GetOrCreate(TKey key, long now)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (++_operations % SweepEvery == 0)
                {
                    TrySweepStep(now);
                }

                return entry;
            }

            ObjectDisposedException.ThrowIf(_disposed, this);
            entry = new KeyedLimiterEntry<TKey>(_definition, now, key);
            if (_entries.TryAdd(key, entry))
            {
                lock (_sweepLock)
                {
                    if (_disposed)
                    {
                        entry.Dispose();
                    }

                    SweepLocked(SweepBatch, now);
                    if (_sweepCount == _sweepList.Length)
                    {
                        Array.Resize(ref _sweepList, _sweepList.Length * 2);
                    }

                    entry.SweepIndex = _sweepCount;
                    _sweepList[_sweepCount++] = entry;
                }

                return entry;
            }
        }
    }

    private void TrySweepStep(long now)
    {
        if (_sweepLock.TryEnter())
        {
            try
            {
                SweepLocked(SweepBatch, now);
            }
            finally
            {
                _sweepLock.Exit();
            }
        }
    }

    private void SweepLocked(int steps, long now)
    {
        for (var i = 0; i < steps && _sweepCount > 0; i++)
        {
            if (_sweepCursor >= _sweepCount)
            {
                _sweepCursor = 0;
            }

            var entry = _sweepList[_sweepCursor]!;
            if (_disposed)
            {
                return;
            }

            if (entry.TryRetire(now))
            {
                _entries.TryRemove(new KeyValuePair<TKey, KeyedLimiterEntry<TKey>>(entry.Key, entry));
                var last = _sweepList[--_sweepCount]!;
                _sweepList[_sweepCursor] = last;
                last.SweepIndex = _sweepCursor;
                _sweepList[_sweepCount] = null;
            }
            else
            {
                _sweepCursor++;
            }
        }

        if (_sweepList.Length > 64 && _sweepCount < _sweepList.Length / 4)
        {
            Array.Resize(ref _sweepList, _sweepList.Length / 2);
        }
    }
}
