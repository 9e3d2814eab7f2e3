using System.Diagnostics;
using BotResilience.Monitoring;
using BotResilience.SampleBot.Observability;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Hosting;

/// <summary>
/// Seed 004 watchdog, on the library's <see cref="Watchdog"/>: one liveness source "webhook" with the silence
/// limit (180 s), a grace period after start (60 s) and a configurable action (terminate the process so a
/// supervisor restarts it, or log). Tests replace the action with a hook.
/// </summary>
public sealed class TrafficWatchdog : IAsyncDisposable
{
    private readonly Watchdog _watchdog;
    private readonly LivenessSource _webhook;
    private readonly SampleMetrics _metrics;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _grace;
    private int _fired;

    /// <summary>Creates and starts the watchdog.</summary>
    /// <param name="silence">Silence limit.</param>
    /// <param name="grace">Grace after start.</param>
    /// <param name="action">What the library does when the source goes stale.</param>
    /// <param name="onFired">Extra callback (receives the silence observed).</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    public TrafficWatchdog(TimeSpan silence, TimeSpan grace, WatchdogAction action, Action<TimeSpan>? onFired, SampleMetrics metrics, ILogger<Watchdog> logger)
    {
        _metrics = metrics;
        _grace = grace;
        _watchdog = new Watchdog(new WatchdogOptions
        {
            GracePeriod = grace,
            CheckInterval = TimeSpan.FromMilliseconds(Math.Clamp(silence.TotalMilliseconds / 10, 10, 5000)),
            Action = action,
            ExitCode = 3,
        }, TimeProvider.System, logger);
        _webhook = _watchdog.Register("webhook", silence);
        _watchdog.SourceStale += (_, e) =>
        {
            Interlocked.Increment(ref _fired);
            Interlocked.Increment(ref _metrics.WatchdogFired);
            onFired?.Invoke(_webhook.TimeSinceLastBeat ?? Stopwatch.GetElapsedTime(_started));
        };
        _watchdog.Start();
    }

    /// <summary>Time since the last beat (since start when none yet).</summary>
    public TimeSpan Silence => _webhook.TimeSinceLastBeat ?? Stopwatch.GetElapsedTime(_started);

    /// <summary>Times fired.</summary>
    public int Fired => Volatile.Read(ref _fired);

    /// <summary>Whether the watchdog is still in its start-up grace period.</summary>
    public bool InGrace => Stopwatch.GetElapsedTime(_started) < _grace;

    /// <summary>Whether the library considers every source healthy.</summary>
    public bool IsHealthy => _watchdog.IsHealthy;

    /// <summary>Records liveness (cheap; called first thing in the webhook, before the secret check).</summary>
    public void Beat() => _webhook.Beat();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _watchdog.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Seeds 000/001: thread-pool lag (library <see cref="ThreadPoolLagMonitor"/>, warns above 500 ms) and the
/// unobserved-exception counter (library <see cref="UnobservedTaskExceptionCounter"/>).
/// </summary>
public sealed class LagProbe : IAsyncDisposable
{
    private readonly ThreadPoolLagMonitor _monitor;
    private readonly UnobservedTaskExceptionCounter _unobserved;
    private readonly SampleMetrics _metrics;

    /// <summary>Creates and starts the probe.</summary>
    /// <param name="metrics">Metrics.</param>
    /// <param name="loggers">Loggers.</param>
    public LagProbe(SampleMetrics metrics, ILoggerFactory loggers)
    {
        _metrics = metrics;
        _monitor = new ThreadPoolLagMonitor(new ThreadPoolLagMonitorOptions { Name = "sample", Interval = TimeSpan.FromMilliseconds(500), WarningThreshold = TimeSpan.FromMilliseconds(500), SampleCount = 120 }, TimeProvider.System, loggers.CreateLogger<ThreadPoolLagMonitor>());
        _unobserved = new UnobservedTaskExceptionCounter(loggers.CreateLogger<UnobservedTaskExceptionCounter>(), markObserved: true);
        _unobserved.ExceptionObserved += (_, _) => Interlocked.Increment(ref _metrics.UnobservedExceptions);
        _monitor.Start();
    }

    /// <summary>Last lag measured.</summary>
    public TimeSpan Current => _monitor.CurrentLag;

    /// <summary>Highest lag measured.</summary>
    public TimeSpan Max => _monitor.MaxLag;

    /// <summary>Percentile of recent samples.</summary>
    /// <param name="p">0–100.</param>
    public TimeSpan Percentile(double p) => _monitor.Percentile(p);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _monitor.Dispose();
        _unobserved.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>State of a periodic worker.</summary>
/// <param name="Name">Worker.</param>
/// <param name="Iterations">Iterations finished.</param>
/// <param name="Timeouts">Iterations that hit the timeout.</param>
/// <param name="Failures">Iterations that threw.</param>
/// <param name="Running">Whether the worker loop runs.</param>
/// <param name="LastOutcome">Outcome of the last iteration.</param>
public sealed record WorkerStatus(string Name, long Iterations, long Timeouts, long Failures, bool Running, string? LastOutcome);

/// <summary>
/// Seed 004 worker, on the library's <see cref="SupervisedWorker"/>: non-overlapping iterations with a hard
/// timeout (120 s) and START/END events guaranteed (the library logs them; the sample counts them).
/// </summary>
public sealed class PeriodicWorker : IAsyncDisposable
{
    private readonly SupervisedWorker _worker;
    private readonly SampleMetrics _metrics;
    private long _timeouts;
    private long _failures;

    /// <summary>Creates and starts the worker.</summary>
    /// <param name="name">Name.</param>
    /// <param name="interval">Pause between iterations.</param>
    /// <param name="timeout">Iteration timeout.</param>
    /// <param name="iteration">Work.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    public PeriodicWorker(string name, TimeSpan interval, TimeSpan timeout, Func<CancellationToken, Task> iteration, SampleMetrics metrics, ILogger<SupervisedWorker> logger)
    {
        _metrics = metrics;
        _worker = new SupervisedWorker(new PeriodicWorkerOptions { Name = name, Interval = interval, IterationTimeout = timeout },
            async ct => await iteration(ct), TimeProvider.System, logger);
        _worker.IterationCompleted += (_, e) =>
        {
            Interlocked.Increment(ref _metrics.WorkerIterations);
            if (e.Outcome == WorkerIterationOutcome.TimedOut)
            {
                Interlocked.Increment(ref _timeouts);
                Interlocked.Increment(ref _metrics.WorkerTimeouts);
            }
            else if (e.Outcome == WorkerIterationOutcome.Failed)
            {
                Interlocked.Increment(ref _failures);
            }
        };
        _ = _worker.StartAsync();
    }

    /// <summary>Current status.</summary>
    public WorkerStatus Status => new(_worker.Name, _worker.IterationCount, Interlocked.Read(ref _timeouts), Interlocked.Read(ref _failures), _worker.IsRunning, _worker.LastOutcome?.ToString());

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _worker.DisposeAsync();
}
