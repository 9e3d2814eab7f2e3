using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.Monitoring;

/// <summary>
/// Measures how late work queued to the .NET thread pool actually starts — the .NET counterpart of an
/// event-loop lag monitor. Every <see cref="ThreadPoolLagMonitorOptions.Interval"/> a probe work item is
/// queued (<see cref="ThreadPool.UnsafeQueueUserWorkItem(IThreadPoolWorkItem, bool)"/> with a cached work item,
/// so a tick allocates nothing); its lag is the time it started minus the time it was due. Sync-over-async,
/// blocking I/O and CPU-heavy handlers starve the pool and show up here long before users notice.
/// </summary>
/// <remarks>
/// Only one probe is outstanding at a time: a starved pool never accumulates probes. While a probe is overdue,
/// <see cref="CurrentLag"/> already reports how overdue it is, so a fully hung pool is visible even though the
/// probe cannot run. Metrics (on the <c>BotResilience</c> meter): <c>botresilience.threadpool.lag</c>,
/// <c>botresilience.threadpool.lag.max</c> (seconds, tag <c>monitor</c>), <c>botresilience.threadpool.threads</c>,
/// <c>botresilience.threadpool.queue_length</c>, <c>botresilience.threadpool.completed_items</c> and
/// <c>botresilience.threadpool.lag_warnings</c>.
/// </remarks>
public sealed class ThreadPoolLagMonitor : IDisposable
{
    private const int StateCreated = 0;
    private const int StateRunning = 1;
    private const int StateStopped = 2;
    private const int StateDisposed = 3;

    private readonly ThreadPoolLagMonitorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly long[] _samples;   // lag in TimeSpan ticks, ring buffer
    private readonly long[] _scratch;   // sorted copy for percentiles, guarded by _lock
    private readonly ProbeWorkItem _probe;
    private readonly long _thresholdTicks;
    private int _next;
    private int _count;
    private long _total;
    private long _lastLagTicks;
    private long _expectedDue;          // TimeProvider timestamp at which the pending probe is due
    private int _probePending;
    private int _state;
    private ITimer? _timer;

    /// <summary>Creates a monitor. Call <see cref="Start"/> to begin probing.</summary>
    /// <param name="options">The options, validated here; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The time source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives the lag warnings; defaults to no logging.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ThreadPoolLagMonitor(ThreadPoolLagMonitorOptions? options = null, TimeProvider? timeProvider = null, ILogger<ThreadPoolLagMonitor>? logger = null)
    {
        _options = (options ?? new ThreadPoolLagMonitorOptions()).Clone();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _samples = new long[_options.SampleCount];
        _scratch = new long[_options.SampleCount];
        _thresholdTicks = _options.WarningThreshold.Ticks;
        _probe = new ProbeWorkItem(this);
    }

    /// <summary>Raised (on a thread-pool thread) when a probe's lag exceeds <see cref="ThreadPoolLagMonitorOptions.WarningThreshold"/>.</summary>
    public event EventHandler<ThreadPoolLagEventArgs>? LagThresholdExceeded;

    /// <summary>Gets the monitor's name (<see cref="ThreadPoolLagMonitorOptions.Name"/>).</summary>
    public string Name => _options.Name;

    /// <summary>Gets the probing interval.</summary>
    public TimeSpan Interval => _options.Interval;

    /// <summary>Gets the warning threshold.</summary>
    public TimeSpan WarningThreshold => _options.WarningThreshold;

    /// <summary>Gets whether the monitor is probing.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == StateRunning;

    /// <summary>
    /// Gets the lag of the latest probe, or how overdue the pending probe already is if that is larger
    /// (so a hung pool is reported without waiting for the probe to run).
    /// </summary>
    public TimeSpan CurrentLag => TimeSpan.FromTicks(Math.Max(Volatile.Read(ref _lastLagTicks), PendingOverdueTicks()));

    /// <summary>Gets the largest lag among the last <see cref="ThreadPoolLagMonitorOptions.SampleCount"/> probes and the pending one.</summary>
    public TimeSpan MaxLag
    {
        get
        {
            long max = PendingOverdueTicks();
            lock (_lock)
            {
                for (var i = 0; i < _count; i++)
                {
                    max = Math.Max(max, _samples[i]);
                }
            }

            return TimeSpan.FromTicks(max);
        }
    }

    /// <summary>Gets how many probes completed since the monitor was created.</summary>
    public long TotalSamples => Interlocked.Read(ref _total);

    /// <summary>Returns a percentile (nearest-rank) of the lag over the retained samples.</summary>
    /// <param name="percentile">The percentile, from 0 to 100 (for example 50, 95 or 99).</param>
    /// <returns>The lag, or <see cref="TimeSpan.Zero"/> before the first probe completed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not within 0 to 100.</exception>
    public TimeSpan Percentile(double percentile)
    {
        if (!(percentile >= 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be between 0 and 100.");
        }

        lock (_lock)
        {
            if (_count == 0)
            {
                return TimeSpan.Zero;
            }

            Array.Copy(_samples, _scratch, _count);
            Array.Sort(_scratch, 0, _count);
            return TimeSpan.FromTicks(_scratch[RankIndex(percentile, _count)]);
        }
    }

    /// <summary>Returns the lag figures and the thread pool's counts at once.</summary>
    /// <returns>The snapshot.</returns>
    public ThreadPoolLagSnapshot GetSnapshot()
    {
        long pending = PendingOverdueTicks();
        TimeSpan p50, p95, p99;
        long max = pending;
        int count;
        long total;
        lock (_lock)
        {
            count = _count;
            total = _total;
            for (var i = 0; i < count; i++)
            {
                max = Math.Max(max, _samples[i]);
            }

            if (count == 0)
            {
                p50 = p95 = p99 = TimeSpan.Zero;
            }
            else
            {
                Array.Copy(_samples, _scratch, count);
                Array.Sort(_scratch, 0, count);
                p50 = TimeSpan.FromTicks(_scratch[RankIndex(50, count)]);
                p95 = TimeSpan.FromTicks(_scratch[RankIndex(95, count)]);
                p99 = TimeSpan.FromTicks(_scratch[RankIndex(99, count)]);
            }
        }

        return new ThreadPoolLagSnapshot(
            TimeSpan.FromTicks(Math.Max(Volatile.Read(ref _lastLagTicks), pending)),
            TimeSpan.FromTicks(max),
            p50,
            p95,
            p99,
            count,
            total,
            ThreadPool.ThreadCount,
            ThreadPool.PendingWorkItemCount,
            ThreadPool.CompletedWorkItemCount);
    }

    /// <summary>Starts probing. Calling it again while running does nothing; a stopped monitor can be started again.</summary>
    /// <exception cref="ObjectDisposedException">The monitor was disposed.</exception>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_state == StateDisposed, this);
            if (_state == StateRunning)
            {
                return;
            }

            _state = StateRunning;
            Volatile.Write(ref _expectedDue, _timeProvider.GetTimestamp() + IntervalTimestampUnits());
            _timer ??= _timeProvider.CreateTimer(static s => ((ThreadPoolLagMonitor)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        ThreadPoolMetrics.Register(this);
        _timer.Change(_options.Interval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops probing; the collected samples stay available.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            if (_state != StateRunning)
            {
                return;
            }

            _state = StateStopped;
        }

        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ThreadPoolMetrics.Unregister(this);
    }

    /// <summary>Stops probing and releases the timer.</summary>
    public void Dispose()
    {
        Stop();
        ITimer? timer;
        lock (_lock)
        {
            _state = StateDisposed;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }

    /// <summary>Test and benchmark seam: queues the probe somewhere other than the thread pool.</summary>
    internal Action<IThreadPoolWorkItem>? QueueOverride { get; set; }

    /// <summary>Timer callback: queue the cached probe. Allocation-free.</summary>
    internal void OnTimer()
    {
        if (Volatile.Read(ref _state) != StateRunning || Interlocked.Exchange(ref _probePending, 1) == 1)
        {
            return;
        }

        if (QueueOverride is { } queue)
        {
            queue(_probe);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(_probe, preferLocal: false);
        }
    }

    /// <summary>Probe body: record the lag, re-arm the timer, warn above the threshold. Allocation-free unless warning.</summary>
    internal void OnProbe()
    {
        long now = _timeProvider.GetTimestamp();
        long due = Volatile.Read(ref _expectedDue);
        long lagTicks = now > due ? _timeProvider.GetElapsedTime(due, now).Ticks : 0;
        RecordSample(lagTicks);
        Volatile.Write(ref _probePending, 0);

        if (Volatile.Read(ref _state) == StateRunning)
        {
            Volatile.Write(ref _expectedDue, now + IntervalTimestampUnits());
            _timer?.Change(_options.Interval, Timeout.InfiniteTimeSpan);
        }

        if (lagTicks > _thresholdTicks)
        {
            OnThresholdExceeded(TimeSpan.FromTicks(lagTicks));
        }
    }

    private void RecordSample(long lagTicks)
    {
        lock (_lock)
        {
            _samples[_next] = lagTicks;
            _next = _next + 1 == _samples.Length ? 0 : _next + 1;
            if (_count < _samples.Length)
            {
                _count++;
            }

            _total++;
        }

        Volatile.Write(ref _lastLagTicks, lagTicks);
    }

    private void OnThresholdExceeded(TimeSpan lag)
    {
        ThreadPoolMetrics.RecordWarning(_options.Name);
        _logger.ThreadPoolLagExceeded(_options.Name, lag.TotalMilliseconds, _options.WarningThreshold.TotalMilliseconds, ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount);
        var handler = LagThresholdExceeded;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new ThreadPoolLagEventArgs(_options.Name, lag, _options.WarningThreshold));
        }
#pragma warning disable CA1031 // A subscriber's bug must not crash the process from a thread-pool thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.EventHandlerFailed(ex, nameof(LagThresholdExceeded), _options.Name);
        }
    }

    private long PendingOverdueTicks()
    {
        if (Volatile.Read(ref _state) != StateRunning)
        {
            return 0;
        }

        long now = _timeProvider.GetTimestamp();
        long due = Volatile.Read(ref _expectedDue);
        return now > due ? _timeProvider.GetElapsedTime(due, now).Ticks : 0;
    }

    private long IntervalTimestampUnits() =>
        (long)(_options.Interval.Ticks * ((double)_timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond));

    private static int RankIndex(double percentile, int count)
    {
        var rank = (int)Math.Ceiling(percentile / 100.0 * count);
        return Math.Clamp(rank - 1, 0, count - 1);
    }

    private sealed class ProbeWorkItem(ThreadPoolLagMonitor owner) : IThreadPoolWorkItem
    {
        public void Execute() => owner.OnProbe();
    }
}
