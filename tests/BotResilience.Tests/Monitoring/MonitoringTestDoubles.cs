using BotResilience.Monitoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BotResilience.Tests.Monitoring;

internal sealed class RecordingTerminator : IProcessTerminator
{
    private readonly List<int> _codes = [];

    public IReadOnlyList<int> ExitCodes
    {
        get
        {
            lock (_codes)
            {
                return [.. _codes];
            }
        }
    }

    public void Terminate(int exitCode)
    {
        lock (_codes)
        {
            _codes.Add(exitCode);
        }
    }
}

internal sealed class RecordingLifetime : IHostApplicationLifetime
{
    private int _stopCalls;

    public int StopCalls => Volatile.Read(ref _stopCalls);

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => Interlocked.Increment(ref _stopCalls);
}

/// <summary>Collects formatted log lines (thread-safe).</summary>
internal sealed class TestLogger : ILogger, ILogger<ThreadPoolLagMonitor>, ILogger<SupervisedWorker>, ILogger<Watchdog>, ILogger<UnobservedTaskExceptionCounter>
{
    private readonly List<(LogLevel Level, string Message, Exception? Exception)> _entries = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_entries)
            {
                return _entries.Select(e => e.Message).ToList();
            }
        }
    }

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception), exception));
        }
    }
}

/// <summary>Delegates to a <see cref="BotResilience.Testing.ManualTimeProvider"/> and keeps every timer callback, so a test can play a tick the timer had already dispatched.</summary>
internal sealed class CallbackCapturingTimeProvider(BotResilience.Testing.ManualTimeProvider inner) : TimeProvider
{
    private readonly List<(TimerCallback Callback, object? State)> _callbacks = [];

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_callbacks)
        {
            _callbacks.Add((callback, state));
        }

        return inner.CreateTimer(callback, state, dueTime, period);
    }

    public void FireAllCapturedCallbacks()
    {
        (TimerCallback Callback, object? State)[] callbacks;
        lock (_callbacks)
        {
            callbacks = [.. _callbacks];
        }

        foreach (var (callback, state) in callbacks)
        {
            callback(state);
        }
    }
}
