using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.Monitoring;

/// <summary>
/// Runs periodic background work under supervision (seed 004's worker fixes as one primitive): iterations never
/// overlap; each has a timeout (<see cref="PeriodicWorkerOptions.IterationTimeout"/>, 120 s by default) enforced by
/// cancelling its token; a START event and an END event carrying the outcome and duration are emitted for every
/// iteration whatever happens (<see cref="IterationStarted"/>, <see cref="IterationCompleted"/>, plus
/// <c>ITERATION_START</c>/<c>ITERATION_END</c> logs); failures back off exponentially; every iteration beats the
/// watchdog; stopping cancels the running iteration and waits for it.
/// </summary>
/// <remarks>
/// Use it directly (<see cref="StartAsync"/>/<see cref="StopAsync"/>), from your own loop (<see cref="RunAsync"/>),
/// or in the generic host (<c>services.AddSupervisedWorker&lt;TWork&gt;(name, configure)</c>). Work that ignores its
/// token keeps running past the timeout; the END event is then emitted when it finally returns, and the missing
/// heartbeats let the <see cref="Watchdog"/> catch the hang. Metrics: <c>botresilience.worker.iterations</c> and
/// <c>botresilience.worker.iteration.duration</c> (tags <c>worker</c>, <c>outcome</c>).
/// </remarks>
public sealed class SupervisedWorker : IAsyncDisposable
{
    private readonly PeriodicWorkerOptions _options;
    private readonly Func<CancellationToken, ValueTask> _work;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly LivenessSource? _extraSource;
    private readonly Lock _lock = new();
    private CancellationTokenSource? _stopping;
    private Task? _loop;
    private int _running;
    private long _iterations;
    private int _consecutiveFailures;
    private int _lastOutcome = -1;

    /// <summary>Creates a worker around <paramref name="work"/>.</summary>
    /// <param name="options">The options, validated here.</param>
    /// <param name="work">One iteration of the work.</param>
    /// <param name="timeProvider">The time source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives START/END and timeout messages; defaults to no logging.</param>
    /// <param name="watchdog">If given, the worker registers a liveness source named <see cref="PeriodicWorkerOptions.Name"/> and beats it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SupervisedWorker(PeriodicWorkerOptions options, IPeriodicWork work, TimeProvider? timeProvider = null, ILogger<SupervisedWorker>? logger = null, Watchdog? watchdog = null)
        : this(options, (work ?? throw new ArgumentNullException(nameof(work))).ExecuteAsync, timeProvider, logger, watchdog)
    {
    }

    /// <summary>Creates a worker around a delegate.</summary>
    /// <param name="options">The options, validated here.</param>
    /// <param name="work">One iteration of the work.</param>
    /// <param name="timeProvider">The time source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives START/END and timeout messages; defaults to no logging.</param>
    /// <param name="watchdog">If given, the worker registers a liveness source named <see cref="PeriodicWorkerOptions.Name"/> and beats it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SupervisedWorker(PeriodicWorkerOptions options, Func<CancellationToken, ValueTask> work, TimeProvider? timeProvider = null, ILogger<SupervisedWorker>? logger = null, Watchdog? watchdog = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(work);
        _options = options.Clone();
        _options.Validate();
        _work = work;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _extraSource = _options.LivenessSource;
        LivenessSource = watchdog?.Register(_options.Name, _options.WatchdogSilenceLimit ?? _options.DefaultWatchdogSilenceLimit());
    }

    /// <summary>Raised when an iteration starts, before the work runs.</summary>
    public event EventHandler<WorkerIterationStartedEventArgs>? IterationStarted;

    /// <summary>Raised when an iteration ends, for every started iteration and every outcome.</summary>
    public event EventHandler<WorkerIterationCompletedEventArgs>? IterationCompleted;

    /// <summary>Gets the worker's name.</summary>
    public string Name => _options.Name;

    /// <summary>Gets the options in effect (a copy; changing it has no effect).</summary>
    public PeriodicWorkerOptions Options => _options.Clone();

    /// <summary>Gets the liveness source registered with the watchdog given to the constructor, if any.</summary>
    public LivenessSource? LivenessSource { get; }

    /// <summary>Gets whether the worker's loop is running.</summary>
    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>Gets how many iterations have started.</summary>
    public long IterationCount => Interlocked.Read(ref _iterations);

    /// <summary>Gets the current number of consecutive failed or timed-out iterations.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Gets the outcome of the latest finished iteration, or <see langword="null"/> before the first one ends.</summary>
    public WorkerIterationOutcome? LastOutcome => Volatile.Read(ref _lastOutcome) is var o and >= 0 ? (WorkerIterationOutcome)o : null;

    /// <summary>Starts the loop in the background and returns at once. Does nothing if already started.</summary>
    /// <param name="cancellationToken">Not used to stop the worker; call <see cref="StopAsync"/>.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_loop is not null && !_loop.IsCompleted)
            {
                return Task.CompletedTask;
            }

            _stopping?.Dispose();
            _stopping = new CancellationTokenSource();
            var token = _stopping.Token;
            _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Cancels the running iteration (and any wait) and waits until the loop has ended, or until <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="cancellationToken">Stops waiting (the loop keeps winding down).</param>
    /// <returns>A task that completes when the loop has ended or waiting was abandoned.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
            if (loop is null)
            {
                return;
            }

            _stopping?.Cancel();
        }

        try
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller stopped waiting (host shutdown timeout); the loop keeps winding down.
        }
    }

    /// <summary>Stops the worker and waits for it.</summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _stopping?.Dispose();
            _stopping = null;
        }
    }

    /// <summary>Runs the loop on the calling flow until <paramref name="stoppingToken"/> is cancelled (used by the hosted-service adapter).</summary>
    /// <param name="stoppingToken">Stops the worker: the running iteration is cancelled (outcome Cancelled) and the loop ends.</param>
    /// <returns>A task that completes (without throwing) once the loop has ended.</returns>
    /// <exception cref="InvalidOperationException">The worker is already running.</exception>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"Supervised worker '{_options.Name}' is already running.");
        }

        try
        {
            if (_options.InitialDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.InitialDelay, _timeProvider, stoppingToken).ConfigureAwait(false);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                var next = await RunIterationAsync(stoppingToken).ConfigureAwait(false);
                if (next is not { } delay)
                {
                    break;
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _timeProvider, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping during a wait: no iteration is running, nothing to report.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Runs one supervised iteration and returns the wait before the next one, or null when stopping.</summary>
    private async Task<TimeSpan?> RunIterationAsync(CancellationToken stoppingToken)
    {
        long iteration = Interlocked.Increment(ref _iterations);
        long started = _timeProvider.GetTimestamp();
        Beat();
        _logger.WorkerIterationStarted(_options.Name, iteration);
        RaiseStarted(iteration);

        WorkerIterationOutcome outcome;
        Exception? error = null;
        CancellationTokenSource? timeout = _options.IterationTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new CancellationTokenSource(_options.IterationTimeout, _timeProvider);
        var linked = timeout is null
            ? CancellationTokenSource.CreateLinkedTokenSource(stoppingToken)
            : CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        var timeoutLog = timeout?.Token.UnsafeRegister(
            static (s, _) =>
            {
                var (worker, number) = ((SupervisedWorker, long))s!;
                worker._logger.WorkerTimeoutRequested(worker._options.Name, number, worker._options.IterationTimeout.TotalMilliseconds);
            },
            (this, iteration));
        try
        {
            await _work(linked.Token).ConfigureAwait(false);
            outcome = WorkerIterationOutcome.Succeeded;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            outcome = WorkerIterationOutcome.Cancelled;
        }
        catch (Exception ex) when (timeout?.IsCancellationRequested == true)
        {
            outcome = WorkerIterationOutcome.TimedOut;
            error = ex;
        }
#pragma warning disable CA1031 // A supervised worker reports every failure as an END event and keeps running.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = WorkerIterationOutcome.Failed;
            error = ex;
        }
        finally
        {
            timeoutLog?.Dispose();
            linked.Dispose();
            timeout?.Dispose();
        }

        var duration = _timeProvider.GetElapsedTime(started);
        int failures;
        TimeSpan? next;
        switch (outcome)
        {
            case WorkerIterationOutcome.Succeeded:
                failures = 0;
                next = stoppingToken.IsCancellationRequested ? null : (duration >= _options.Interval ? TimeSpan.Zero : _options.Interval - duration);
                break;
            case WorkerIterationOutcome.Cancelled:
                failures = Volatile.Read(ref _consecutiveFailures);
                next = null;
                break;
            default:
                failures = Volatile.Read(ref _consecutiveFailures) + 1;
                next = stoppingToken.IsCancellationRequested ? null : _options.BackoffAfter(failures);
                break;
        }

        Volatile.Write(ref _consecutiveFailures, failures);
        Volatile.Write(ref _lastOutcome, (int)outcome);
        Beat();
        WorkerMetrics.RecordIteration(_options.Name, outcome, duration);
        LogEnd(iteration, outcome, error, duration, failures, next);
        RaiseCompleted(new WorkerIterationCompletedEventArgs(_options.Name, iteration, outcome, error, duration, failures, next));
        return next;
    }

    private void Beat()
    {
        LivenessSource?.Beat();
        _extraSource?.Beat();
    }

    private void LogEnd(long iteration, WorkerIterationOutcome outcome, Exception? error, TimeSpan duration, int failures, TimeSpan? next)
    {
        double durationMs = duration.TotalMilliseconds;
        double nextMs = next?.TotalMilliseconds ?? 0;
        switch (outcome)
        {
            case WorkerIterationOutcome.Succeeded:
                _logger.WorkerIterationSucceeded(_options.Name, iteration, durationMs);
                break;
            case WorkerIterationOutcome.Failed:
                _logger.WorkerIterationFailed(error!, _options.Name, iteration, durationMs, failures, nextMs);
                break;
            case WorkerIterationOutcome.TimedOut:
                _logger.WorkerIterationTimedOut(_options.Name, iteration, durationMs, _options.IterationTimeout.TotalMilliseconds, failures, nextMs);
                break;
            default:
                _logger.WorkerIterationCancelled(_options.Name, iteration, durationMs);
                break;
        }
    }

    private void RaiseStarted(long iteration)
    {
        var handler = IterationStarted;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new WorkerIterationStartedEventArgs(_options.Name, iteration, _timeProvider.GetUtcNow()));
        }
#pragma warning disable CA1031 // A subscriber's bug must not break the START/END pairing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.EventHandlerFailed(ex, nameof(IterationStarted), _options.Name);
        }
    }

    private void RaiseCompleted(WorkerIterationCompletedEventArgs args)
    {
        var handler = IterationCompleted;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, args);
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.EventHandlerFailed(ex, nameof(IterationCompleted), _options.Name);
        }
    }
}
