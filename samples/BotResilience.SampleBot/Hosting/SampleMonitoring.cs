using System.Diagnostics;
using BotResilience.SampleBot.Observability;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Hosting;

/// <summary>
/// Seed 004 watchdog: fires when no webhook traffic was seen for <c>silence</c> (after a grace period from start).
/// The action is configurable (exit the process so a supervisor restarts it, or just log).
/// </summary>
public sealed class TrafficWatchdog : IAsyncDisposable
{
    private readonly TimeSpan _silence;
    private readonly TimeSpan _grace;
    private readonly Action<TimeSpan> _onFired;
    private readonly SampleMetrics _metrics;
    private readonly ILogger _logger;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _lastBeat;

    /// <summary>Creates and starts the watchdog.</summary>
    /// <param name="silence">Silence limit.</param>
    /// <param name="grace">Grace after start.</param>
    /// <param name="onFired">Action (receives the silence observed).</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    public TrafficWatchdog(TimeSpan silence, TimeSpan grace, Action<TimeSpan> onFired, SampleMetrics metrics, ILogger<TrafficWatchdog> logger)
    {
        _silence = silence;
        _grace = grace;
        _onFired = onFired;
        _metrics = metrics;
        _logger = logger;
        _lastBeat = _started;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Time since the last beat.</summary>
    public TimeSpan Silence => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastBeat));

    /// <summary>Times fired.</summary>
    public int Fired { get; private set; }

    /// <summary>Whether the watchdog is still in its start-up grace period.</summary>
    public bool InGrace => Stopwatch.GetElapsedTime(_started) < _grace;

    /// <summary>Records liveness (cheap; called first thing in the webhook, before the secret check).</summary>
    public void Beat() => Interlocked.Exchange(ref _lastBeat, Stopwatch.GetTimestamp());

    private async Task RunAsync(CancellationToken ct)
    {
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(_silence.TotalMilliseconds / 10, 10, 1000));
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(tick, ct);
                if (InGrace)
                {
                    continue;
                }

                TimeSpan silent = Silence;
                if (silent >= _silence)
                {
                    Fired++;
                    Interlocked.Increment(ref _metrics.WatchdogFired);
                    _logger.LogCritical("WATCHDOG_FIRED no webhook traffic for {Silence}", silent);
                    _onFired(silent);
                    Beat();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>
/// Seed 000: thread-pool lag probe (a 500 ms timer that should fire on time; the overshoot is the lag) plus the
/// unobserved-exception counter (seed 001).
/// </summary>
public sealed class LagProbe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly SampleMetrics _metrics;
    private readonly double[] _recent = new double[120];
    private int _count;
    private long _currentTicks;
    private long _maxTicks;

    /// <summary>Creates and starts the probe.</summary>
    /// <param name="metrics">Metrics.</param>
    public LagProbe(SampleMetrics metrics)
    {
        _metrics = metrics;
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Last lag measured.</summary>
    public TimeSpan Current => TimeSpan.FromTicks(Interlocked.Read(ref _currentTicks));

    /// <summary>Highest lag measured.</summary>
    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    /// <summary>Percentile of the last 120 samples (ms).</summary>
    /// <param name="p">0–100.</param>
    public double PercentileMs(double p)
    {
        double[] copy;
        lock (_recent)
        {
            copy = _recent.Take(Math.Min(_count, _recent.Length)).ToArray();
        }

        return LatencyMath.Percentile(copy, p);
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        Interlocked.Increment(ref _metrics.UnobservedExceptions);
        e.SetObserved();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(500);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                await Task.Delay(interval, ct);
                TimeSpan lag = Stopwatch.GetElapsedTime(start) - interval;
                if (lag < TimeSpan.Zero)
                {
                    lag = TimeSpan.Zero;
                }

                Interlocked.Exchange(ref _currentTicks, lag.Ticks);
                if (lag.Ticks > Interlocked.Read(ref _maxTicks))
                {
                    Interlocked.Exchange(ref _maxTicks, lag.Ticks);
                }

                lock (_recent)
                {
                    _recent[_count++ % _recent.Length] = lag.TotalMilliseconds;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>State of a periodic worker.</summary>
/// <param name="Name">Worker.</param>
/// <param name="Iterations">Iterations finished.</param>
/// <param name="Timeouts">Iterations that hit the timeout.</param>
/// <param name="Failures">Iterations that threw.</param>
/// <param name="Running">Whether an iteration runs now.</param>
/// <param name="LastEnd">End of the last iteration.</param>
public sealed record WorkerStatus(string Name, long Iterations, long Timeouts, long Failures, bool Running, DateTimeOffset? LastEnd);

/// <summary>
/// Seed 004 worker loop: non-overlapping iterations, each with a hard timeout, ITERATION_START / ITERATION_END
/// logged with the outcome in <c>finally</c> so END is never missing.
/// </summary>
public sealed class PeriodicWorker : IAsyncDisposable
{
    private readonly string _name;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly Func<CancellationToken, Task> _iteration;
    private readonly SampleMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _iterations;
    private long _timeouts;
    private long _failures;
    private volatile bool _running;
    private DateTimeOffset? _lastEnd;

    /// <summary>Creates and starts the worker.</summary>
    /// <param name="name">Name.</param>
    /// <param name="interval">Pause between iterations.</param>
    /// <param name="timeout">Iteration timeout.</param>
    /// <param name="iteration">Work.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    public PeriodicWorker(string name, TimeSpan interval, TimeSpan timeout, Func<CancellationToken, Task> iteration, SampleMetrics metrics, ILogger logger)
    {
        _name = name;
        _interval = interval;
        _timeout = timeout;
        _iteration = iteration;
        _metrics = metrics;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Current status.</summary>
    public WorkerStatus Status => new(_name, Interlocked.Read(ref _iterations), Interlocked.Read(ref _timeouts), Interlocked.Read(ref _failures), _running, _lastEnd);

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            string outcome = "ok";
            long start = Stopwatch.GetTimestamp();
            _running = true;
            _logger.LogInformation("ITERATION_START worker={Worker}", _name);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_timeout);
                await _iteration(timeout.Token).WaitAsync(_timeout, ct);
            }
            catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                outcome = "timeout";
                Interlocked.Increment(ref _timeouts);
                Interlocked.Increment(ref _metrics.WorkerTimeouts);
            }
            catch (OperationCanceledException)
            {
                outcome = "cancelled";
            }
            catch (Exception ex)
            {
                outcome = "error:" + ex.GetType().Name;
                Interlocked.Increment(ref _failures);
            }
            finally
            {
                _running = false;
                _lastEnd = DateTimeOffset.UtcNow;
                Interlocked.Increment(ref _iterations);
                Interlocked.Increment(ref _metrics.WorkerIterations);
                _logger.LogInformation("ITERATION_END worker={Worker} outcome={Outcome} duration_ms={Duration:F0}", _name, outcome, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            try
            {
                await Task.Delay(_interval, ct);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
