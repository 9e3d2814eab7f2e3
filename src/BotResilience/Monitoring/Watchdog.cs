using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.Monitoring;

/// <summary>
/// Watches named liveness sources (webhook traffic, polling loop, workers) and acts when one stays silent
/// longer than its limit — the tested form of seed 004's "restart after 180 s without webhook traffic,
/// 60 s grace after start". Sources beat cheaply (<see cref="LivenessSource.Beat"/>); <see cref="Check"/>
/// judges them (the started watchdog runs it every <see cref="WatchdogOptions.CheckInterval"/>) and, on the
/// transition to stale, logs, raises <see cref="SourceStale"/> and takes the source's <see cref="WatchdogAction"/>.
/// </summary>
public sealed class Watchdog : IDisposable
{
    private readonly WatchdogOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly IProcessTerminator _terminator;
    private readonly ConcurrentDictionary<string, LivenessSource> _sources = new(StringComparer.Ordinal);
    private readonly Lock _checkLock = new();
    private long _origin;
    private bool _graceEndLogged;
    private bool _running;
    private bool _disposed;
    private ITimer? _timer;

    /// <summary>Creates a watchdog; sources can be registered before or after <see cref="Start"/>.</summary>
    /// <param name="options">The options, validated here; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The time source; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives stale/recovered/grace messages; defaults to no logging.</param>
    /// <param name="lifetime">Required for <see cref="WatchdogAction.StopHost"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">The action is <see cref="WatchdogAction.StopHost"/> and <paramref name="lifetime"/> is null.</exception>
    public Watchdog(WatchdogOptions? options = null, TimeProvider? timeProvider = null, ILogger<Watchdog>? logger = null, IHostApplicationLifetime? lifetime = null)
        : this(options, timeProvider, logger, lifetime, EnvironmentProcessTerminator.Instance)
    {
    }

    internal Watchdog(WatchdogOptions? options, TimeProvider? timeProvider, ILogger? logger, IHostApplicationLifetime? lifetime, IProcessTerminator terminator)
    {
        _options = (options ?? new WatchdogOptions()).Clone();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _lifetime = lifetime;
        _terminator = terminator;
        if (_options.Action == WatchdogAction.StopHost && lifetime is null)
        {
            throw new ArgumentException("WatchdogOptions.Action is StopHost but no IHostApplicationLifetime was given.", nameof(lifetime));
        }

        _origin = _timeProvider.GetTimestamp();
    }

    /// <summary>Raised (inside <see cref="Check"/>) when a source becomes stale, before its action is taken.</summary>
    public event EventHandler<WatchdogSourceEventArgs>? SourceStale;

    /// <summary>Raised (inside <see cref="Check"/>) when a stale source beats again.</summary>
    public event EventHandler<WatchdogSourceEventArgs>? SourceRecovered;

    /// <summary>Gets the grace period after start.</summary>
    public TimeSpan GracePeriod => _options.GracePeriod;

    /// <summary>Gets whether the periodic check is running.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_checkLock)
            {
                return _running;
            }
        }
    }

    /// <summary>Gets the registered sources.</summary>
    public IReadOnlyCollection<LivenessSource> Sources => [.. _sources.Values];

    /// <summary>
    /// Gets whether no stale source has an action of <see cref="WatchdogAction.MarkUnhealthy"/> or stronger,
    /// judged now (without taking actions).
    /// </summary>
    public bool IsHealthy
    {
        get
        {
            long now = _timeProvider.GetTimestamp();
            foreach (var source in _sources.Values)
            {
                if (source.Action >= WatchdogAction.MarkUnhealthy && Judge(source, now, out _) == LivenessState.Stale)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Registers a source with the given silence limit and the watchdog's default action.</summary>
    /// <param name="name">A unique source name, such as <c>"webhook"</c>.</param>
    /// <param name="silenceLimit">How long the source may stay silent; greater than zero.</param>
    /// <returns>The source to beat.</returns>
    /// <exception cref="ArgumentException">The name is empty or already registered.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="silenceLimit"/> is not greater than zero.</exception>
    public LivenessSource Register(string name, TimeSpan silenceLimit) =>
        Register(name, new WatchdogSourceOptions { SilenceLimit = silenceLimit });

    /// <summary>Registers a source.</summary>
    /// <param name="name">A unique source name, such as <c>"webhook"</c>.</param>
    /// <param name="options">The source's silence limit and optional action.</param>
    /// <returns>The source to beat.</returns>
    /// <exception cref="ArgumentException">The name is empty or already registered, or the action is StopHost without a host lifetime.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public LivenessSource Register(string name, WatchdogSourceOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var action = options.Action ?? _options.Action;
        if (action == WatchdogAction.StopHost && _lifetime is null)
        {
            throw new ArgumentException($"Source '{name}' uses WatchdogAction.StopHost but the watchdog has no IHostApplicationLifetime.", nameof(options));
        }

        var source = new LivenessSource(name, options.SilenceLimit, action, _timeProvider, _timeProvider.GetTimestamp());
        if (!_sources.TryAdd(name, source))
        {
            throw new ArgumentException($"A liveness source named '{name}' is already registered.", nameof(name));
        }

        return source;
    }

    /// <summary>Removes a source.</summary>
    /// <param name="name">The source's name.</param>
    /// <returns><see langword="true"/> if it was registered.</returns>
    public bool Unregister(string name) => _sources.TryRemove(name, out _);

    /// <summary>Looks up a registered source.</summary>
    /// <param name="name">The source's name.</param>
    /// <param name="source">The source, when found.</param>
    /// <returns><see langword="true"/> if it is registered.</returns>
    public bool TryGetSource(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LivenessSource? source) =>
        _sources.TryGetValue(name, out source);

    /// <summary>Records a heartbeat for a registered source (one lookup; prefer keeping the <see cref="LivenessSource"/>).</summary>
    /// <param name="name">The source's name.</param>
    /// <exception cref="ArgumentException">No source with that name is registered.</exception>
    public void Beat(string name)
    {
        if (!_sources.TryGetValue(name, out var source))
        {
            throw new ArgumentException($"No liveness source named '{name}' is registered.", nameof(name));
        }

        source.Beat();
    }

    /// <summary>Starts the periodic check and restarts the grace period. Calling it while running does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The watchdog was disposed.</exception>
    public void Start()
    {
        lock (_checkLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running)
            {
                return;
            }

            _running = true;
            _origin = _timeProvider.GetTimestamp();
            _graceEndLogged = false;
            _timer ??= _timeProvider.CreateTimer(static s => ((Watchdog)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(_options.CheckInterval, _options.CheckInterval);
        }
    }

    /// <summary>Stops the periodic check.</summary>
    public void Stop()
    {
        lock (_checkLock)
        {
            _running = false;
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the periodic check and releases the timer.</summary>
    public void Dispose()
    {
        ITimer? timer;
        lock (_checkLock)
        {
            _running = false;
            _disposed = true;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }

    /// <summary>Judges every source now without taking any action.</summary>
    /// <returns>The snapshot.</returns>
    public WatchdogStatus GetStatus() => Snapshot(_timeProvider.GetTimestamp(), out _);

    /// <summary>
    /// Judges every source now and, for each transition, logs, raises <see cref="SourceStale"/> /
    /// <see cref="SourceRecovered"/> and takes the stale source's action (once per stale episode).
    /// Logs once when the grace period has ended, naming sources that never beat.
    /// </summary>
    /// <returns>The snapshot after the check.</returns>
    public WatchdogStatus Check()
    {
        List<(LivenessSourceStatus Status, bool Stale)>? transitions = null;
        WatchdogStatus status;
        lock (_checkLock)
        {
            long now = _timeProvider.GetTimestamp();
            status = Snapshot(now, out var inGrace);
            if (!inGrace && !_graceEndLogged)
            {
                _graceEndLogged = true;
                LogGraceEnd(status);
            }

            foreach (var sourceStatus in status.Sources)
            {
                if (!_sources.TryGetValue(sourceStatus.Name, out var source))
                {
                    continue;
                }

                bool stale = sourceStatus.State == LivenessState.Stale;
                if (stale != source.StaleReported)
                {
                    source.StaleReported = stale;
                    (transitions ??= []).Add((sourceStatus, stale));
                }
            }
        }

        if (transitions is not null)
        {
            foreach (var (sourceStatus, stale) in transitions)
            {
                if (stale)
                {
                    OnStale(sourceStatus);
                }
                else
                {
                    _logger.WatchdogSourceRecovered(sourceStatus.Name);
                    Raise(SourceRecovered, nameof(SourceRecovered), sourceStatus);
                }
            }
        }

        return status;
    }

    private void OnStale(LivenessSourceStatus status)
    {
        WatchdogMetrics.RecordStale(status.Name, status.Action);
        _logger.WatchdogSourceStale(status.Name, status.Silence.TotalSeconds, status.SilenceLimit.TotalSeconds, status.LastBeat is null, status.Action);
        Raise(SourceStale, nameof(SourceStale), status);
        switch (status.Action)
        {
            case WatchdogAction.StopHost:
                _logger.WatchdogStoppingHost(status.Name);
                _lifetime?.StopApplication();
                break;
            case WatchdogAction.TerminateProcess:
                _logger.WatchdogTerminatingProcess(status.Name, _options.ExitCode);
                _terminator.Terminate(_options.ExitCode);
                break;
            default:
                break;
        }
    }

    private void Raise(EventHandler<WatchdogSourceEventArgs>? handler, string eventName, LivenessSourceStatus status)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new WatchdogSourceEventArgs(status));
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the watchdog from acting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.EventHandlerFailed(ex, eventName, status.Name);
        }
    }

    private void LogGraceEnd(WatchdogStatus status)
    {
        int seen = 0;
        foreach (var source in status.Sources)
        {
            if (source.LastBeat is null)
            {
                _logger.WatchdogGraceEndedWithoutTraffic(source.Name, _options.GracePeriod.TotalSeconds);
            }
            else
            {
                seen++;
            }
        }

        _logger.WatchdogGraceEnded(_options.GracePeriod.TotalSeconds, seen, status.Sources.Count);
    }

    private WatchdogStatus Snapshot(long now, out bool inGrace)
    {
        inGrace = _timeProvider.GetElapsedTime(Volatile.Read(ref _origin), now) < _options.GracePeriod;
        var utcNow = _timeProvider.GetUtcNow();
        var list = new List<LivenessSourceStatus>(_sources.Count);
        bool healthy = true;
        foreach (var source in _sources.Values)
        {
            var state = Judge(source, now, out var silence);
            if (state == LivenessState.Stale && source.Action >= WatchdogAction.MarkUnhealthy)
            {
                healthy = false;
            }

            DateTimeOffset? lastBeat = source.LastBeatTimestamp == LivenessSource.NeverBeat ? null : utcNow - silence;
            list.Add(new LivenessSourceStatus(source.Name, state, silence, source.SilenceLimit, lastBeat, source.Action));
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new WatchdogStatus(healthy, inGrace, utcNow, list);
    }

    /// <summary>Judges one source at <paramref name="now"/>: stale only after its grace period and beyond its silence limit.</summary>
    private LivenessState Judge(LivenessSource source, long now, out TimeSpan silence)
    {
        long since = Math.Max(Volatile.Read(ref _origin), source.RegisteredAt);
        long last = source.LastBeatTimestamp;
        bool neverSeen = last == LivenessSource.NeverBeat;
        silence = now > (neverSeen ? since : last) ? _timeProvider.GetElapsedTime(neverSeen ? since : last, now) : TimeSpan.Zero;
        bool inGrace = now > since ? _timeProvider.GetElapsedTime(since, now) < _options.GracePeriod : _options.GracePeriod > TimeSpan.Zero;
        if (!inGrace && silence > source.SilenceLimit)
        {
            return LivenessState.Stale;
        }

        return neverSeen ? LivenessState.NeverSeen : LivenessState.Healthy;
    }

    private void OnTimer()
    {
        try
        {
            Check();
        }
#pragma warning disable CA1031 // Timer callback: keep checking on the next tick.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.WatchdogCheckFailed(ex);
        }
    }
}
