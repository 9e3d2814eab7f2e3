using System.Collections.Concurrent;
using System.Threading.Channels;
using BotResilience.SampleBot.Observability;

namespace BotResilience.SampleBot.Features;

/// <summary>Result of a location message.</summary>
public enum LocationVerdict
{
    /// <summary>A new live session started (user gets "tracking").</summary>
    SessionStarted,

    /// <summary>Update of an existing session, queued for batch processing (no reply).</summary>
    Queued,

    /// <summary>Session cap reached: "overloaded, try later".</summary>
    Overloaded,

    /// <summary>An edit of a live location whose session was refused or has ended (dropped silently).</summary>
    Ignored,
}

/// <summary>
/// Seed 002: live locations. At most <c>maxSessions</c> active sessions; updates are batched (5 per batch or
/// every second) and at most <c>maxConcurrent</c> updates are processed at once.
/// </summary>
public sealed class LiveLocationTracker : IAsyncDisposable
{
    private readonly int _maxSessions;
    private readonly SemaphoreSlim _concurrency;
    private readonly SampleMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleExpiry;
    private readonly ConcurrentDictionary<long, long> _sessions = new();
    private readonly Channel<(long UserId, double Lat, double Lon)> _updates = Channel.CreateBounded<(long, double, double)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Func<long, double, double, CancellationToken, Task> _process;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _batcher;
    private readonly Lock _admit = new();

    /// <summary>Creates the tracker and starts its batcher.</summary>
    /// <param name="maxSessions">Maximum active sessions.</param>
    /// <param name="maxConcurrent">Updates processed at once.</param>
    /// <param name="idleExpiry">A session without updates for this long ends.</param>
    /// <param name="process">Work done per update (e.g. a nearby-fact lookup).</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="time">Clock.</param>
    public LiveLocationTracker(int maxSessions, int maxConcurrent, TimeSpan idleExpiry, Func<long, double, double, CancellationToken, Task> process, SampleMetrics metrics, TimeProvider time)
    {
        _maxSessions = maxSessions;
        _concurrency = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        _idleExpiry = idleExpiry;
        _process = process;
        _metrics = metrics;
        _time = time;
        _batcher = Task.Run(() => RunBatcherAsync(_stop.Token));
    }

    /// <summary>Active sessions.</summary>
    public int ActiveSessions => _sessions.Count;

    /// <summary>Updates waiting for a batch.</summary>
    public int QueuedUpdates => _updates.Reader.Count;

    /// <summary>Updates being processed now.</summary>
    public int Processing => Volatile.Read(ref _processing);

    private int _processing;

    /// <summary>Accepts a location (new live location or an edit of one).</summary>
    /// <param name="userId">User.</param>
    /// <param name="lat">Latitude.</param>
    /// <param name="lon">Longitude.</param>
    /// <param name="isEdit">An edited_message (a move of a running live location).</param>
    public LocationVerdict Accept(long userId, double lat, double lon, bool isEdit = false)
    {
        long now = _time.GetTimestamp();
        bool started = false;
        if (isEdit && !_sessions.ContainsKey(userId))
        {
            return LocationVerdict.Ignored;
        }

        if (!_sessions.ContainsKey(userId))
        {
            lock (_admit)
            {
                if (!_sessions.ContainsKey(userId))
                {
                    if (_sessions.Count >= _maxSessions)
                    {
                        Interlocked.Increment(ref _metrics.LocationSessionsRejected);
                        return LocationVerdict.Overloaded;
                    }

                    started = true;
                    Interlocked.Increment(ref _metrics.LocationSessionsStarted);
                }
            }
        }

        _sessions[userId] = now;
        _updates.Writer.TryWrite((userId, lat, lon));
        return started ? LocationVerdict.SessionStarted : LocationVerdict.Queued;
    }

    /// <summary>Ends a session (user stopped sharing).</summary>
    /// <param name="userId">User.</param>
    public void Stop(long userId) => _sessions.TryRemove(userId, out _);

    /// <summary>Ends sessions idle longer than the expiry; returns how many.</summary>
    public int ExpireIdle()
    {
        long now = _time.GetTimestamp();
        int n = 0;
        foreach (var p in _sessions)
        {
            if (_time.GetElapsedTime(p.Value, now) > _idleExpiry && _sessions.TryRemove(p))
            {
                n++;
            }
        }

        return n;
    }

    private async Task RunBatcherAsync(CancellationToken ct)
    {
        var batch = new List<(long, double, double)>(5);
        try
        {
            while (await _updates.Reader.WaitToReadAsync(ct))
            {
                using var window = new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(window.Token, ct);
                try
                {
                    while (batch.Count < 5)
                    {
                        batch.Add(await _updates.Reader.ReadAsync(linked.Token));
                    }
                }
                catch (OperationCanceledException) when (window.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                }

                if (batch.Count > 0)
                {
                    Interlocked.Increment(ref _metrics.LocationBatches);
                    await Task.WhenAll(batch.Select(u => ProcessOneAsync(u, ct)));
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ProcessOneAsync((long UserId, double Lat, double Lon) u, CancellationToken ct)
    {
        await _concurrency.WaitAsync(ct);
        Interlocked.Increment(ref _processing);
        try
        {
            await _process(u.UserId, u.Lat, u.Lon, ct);
            Interlocked.Increment(ref _metrics.LocationUpdatesProcessed);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // one failed update must not stop the batcher; counted by the processor
        }
        finally
        {
            Interlocked.Decrement(ref _processing);
            _concurrency.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _updates.Writer.TryComplete();
        try
        {
            await _batcher;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _concurrency.Dispose();
    }
}
