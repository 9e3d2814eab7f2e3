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
