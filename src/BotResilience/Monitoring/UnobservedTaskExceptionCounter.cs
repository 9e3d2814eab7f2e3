using System.Diagnostics.Metrics;
using BotResilience.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.Monitoring;

/// <summary>
/// Counts and logs <see cref="TaskScheduler.UnobservedTaskException"/>: faulted tasks nobody awaited (the
/// "Future exception was never retrieved" of seed 001). Metric: <c>botresilience.tasks.unobserved_exceptions</c>
/// (tag <c>exception.type</c>). Unsubscribes on <see cref="Dispose"/>.
/// </summary>
/// <remarks>The event is raised by the finalizer thread when the faulted task is garbage-collected, so counts lag behind.</remarks>
public sealed class UnobservedTaskExceptionCounter : IDisposable
{
    private static readonly Counter<long> s_counter = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.tasks.unobserved_exceptions", unit: "{exception}", description: "Faulted tasks whose exception was never observed.");

    private readonly ILogger _logger;
    private readonly bool _markObserved;
    private readonly EventHandler<UnobservedTaskExceptionEventArgs> _handler;
    private long _count;
    private int _disposed;

    /// <summary>Subscribes to <see cref="TaskScheduler.UnobservedTaskException"/>.</summary>
    /// <param name="logger">Receives one error per unobserved exception; defaults to no logging.</param>
    /// <param name="markObserved">
    /// Whether to call <see cref="UnobservedTaskExceptionEventArgs.SetObserved"/> (only matters when
    /// <c>ThrowUnobservedTaskExceptions</c> is enabled in the runtime configuration).
    /// </param>
    public UnobservedTaskExceptionCounter(ILogger<UnobservedTaskExceptionCounter>? logger = null, bool markObserved = false)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _markObserved = markObserved;
        _handler = OnUnobservedTaskException;
        TaskScheduler.UnobservedTaskException += _handler;
    }

    /// <summary>Gets how many unobserved task exceptions were seen since this instance subscribed.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Raised after an unobserved exception was counted.</summary>
    public event EventHandler<UnobservedTaskExceptionEventArgs>? ExceptionObserved;

    /// <summary>Unsubscribes.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            TaskScheduler.UnobservedTaskException -= _handler;
        }
    }

    private void OnUnobservedTaskException(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        var count = Interlocked.Increment(ref _count);
        var inner = e.Exception.InnerExceptions.Count == 1 ? e.Exception.InnerExceptions[0] : e.Exception;
        var type = inner.GetType().FullName ?? inner.GetType().Name;
        s_counter.Add(1, new KeyValuePair<string, object?>("exception.type", type));
        _logger.UnobservedTaskException(e.Exception, count, type);
        if (_markObserved)
        {
            e.SetObserved();
        }

        try
        {
            ExceptionObserved?.Invoke(this, e);
        }
#pragma warning disable CA1031 // Runs on the finalizer thread: a subscriber's bug must not crash the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.EventHandlerFailed(ex, nameof(ExceptionObserved), nameof(UnobservedTaskExceptionCounter));
        }
    }
}
