using Microsoft.Extensions.Logging;

namespace BotResilience.Monitoring;

/// <summary>Source-generated log messages of the monitoring capability (event ids 7000–7099).</summary>
internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = 7000, EventName = "ThreadPoolLagExceeded", Level = LogLevel.Warning,
        Message = "Thread pool starved: monitor '{Monitor}' probe started {LagMs:F0} ms late (threshold {ThresholdMs:F0} ms; threads {Threads}, queued {Queued}). Look for blocking calls (.Result, .Wait(), sync I/O) or CPU-heavy handlers.")]
    public static partial void ThreadPoolLagExceeded(this ILogger logger, string monitor, double lagMs, double thresholdMs, int threads, long queued);

    [LoggerMessage(EventId = 7001, EventName = "EventHandlerFailed", Level = LogLevel.Error,
        Message = "A subscriber of {EventName} on '{Source}' threw; the exception was swallowed.")]
    public static partial void EventHandlerFailed(this ILogger logger, Exception exception, string eventName, string source);

    [LoggerMessage(EventId = 7010, EventName = "UnobservedTaskException", Level = LogLevel.Error,
        Message = "Unobserved task exception #{Count} ({ExceptionType}): a faulted task was never awaited.")]
    public static partial void UnobservedTaskException(this ILogger logger, Exception exception, long count, string exceptionType);

    [LoggerMessage(EventId = 7020, EventName = "WatchdogSourceStale", Level = LogLevel.Error,
        Message = "LIVENESS_CHECK_FAILED: source '{Source}' silent for {SilenceSeconds:F1} s (limit {LimitSeconds:F1} s, never seen: {NeverSeen}); action {Action}.")]
    public static partial void WatchdogSourceStale(this ILogger logger, string source, double silenceSeconds, double limitSeconds, bool neverSeen, WatchdogAction action);

    [LoggerMessage(EventId = 7021, EventName = "WatchdogSourceRecovered", Level = LogLevel.Information,
        Message = "Liveness source '{Source}' is beating again.")]
    public static partial void WatchdogSourceRecovered(this ILogger logger, string source);

    [LoggerMessage(EventId = 7022, EventName = "WatchdogGraceEnded", Level = LogLevel.Information,
        Message = "WATCHDOG_GRACE_END: grace period of {GraceSeconds:F0} s ended; {SeenCount} of {SourceCount} sources seen.")]
    public static partial void WatchdogGraceEnded(this ILogger logger, double graceSeconds, int seenCount, int sourceCount);

    [LoggerMessage(EventId = 7023, EventName = "WatchdogGraceEndedWithoutTraffic", Level = LogLevel.Warning,
        Message = "WATCHDOG_GRACE_END: no heartbeat from '{Source}' during the {GraceSeconds:F0} s grace period (misconfigured webhook or worker not started?).")]
    public static partial void WatchdogGraceEndedWithoutTraffic(this ILogger logger, string source, double graceSeconds);

    [LoggerMessage(EventId = 7024, EventName = "WatchdogStoppingHost", Level = LogLevel.Critical,
        Message = "Watchdog stopping the host because '{Source}' is stale.")]
    public static partial void WatchdogStoppingHost(this ILogger logger, string source);

    [LoggerMessage(EventId = 7025, EventName = "WatchdogTerminatingProcess", Level = LogLevel.Critical,
        Message = "Watchdog terminating the process with exit code {ExitCode} because '{Source}' is stale.")]
    public static partial void WatchdogTerminatingProcess(this ILogger logger, string source, int exitCode);

    [LoggerMessage(EventId = 7026, EventName = "WatchdogCheckFailed", Level = LogLevel.Error,
        Message = "The periodic watchdog check threw.")]
    public static partial void WatchdogCheckFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7030, EventName = "WorkerIterationStarted", Level = LogLevel.Information,
        Message = "ITERATION_START worker={Worker} iteration={Iteration}")]
    public static partial void WorkerIterationStarted(this ILogger logger, string worker, long iteration);

    [LoggerMessage(EventId = 7031, EventName = "WorkerIterationSucceeded", Level = LogLevel.Information,
        Message = "ITERATION_END worker={Worker} iteration={Iteration} outcome=Succeeded duration_ms={DurationMs:F0}")]
    public static partial void WorkerIterationSucceeded(this ILogger logger, string worker, long iteration, double durationMs);

    [LoggerMessage(EventId = 7032, EventName = "WorkerIterationFailed", Level = LogLevel.Warning,
        Message = "ITERATION_END worker={Worker} iteration={Iteration} outcome=Failed duration_ms={DurationMs:F0} consecutive_failures={Failures} next_in_ms={NextMs:F0}")]
    public static partial void WorkerIterationFailed(this ILogger logger, Exception exception, string worker, long iteration, double durationMs, int failures, double nextMs);

    [LoggerMessage(EventId = 7033, EventName = "WorkerIterationTimedOut", Level = LogLevel.Warning,
        Message = "ITERATION_END worker={Worker} iteration={Iteration} outcome=TimedOut duration_ms={DurationMs:F0} timeout_ms={TimeoutMs:F0} consecutive_failures={Failures} next_in_ms={NextMs:F0}")]
    public static partial void WorkerIterationTimedOut(this ILogger logger, string worker, long iteration, double durationMs, double timeoutMs, int failures, double nextMs);

    [LoggerMessage(EventId = 7034, EventName = "WorkerIterationCancelled", Level = LogLevel.Information,
        Message = "ITERATION_END worker={Worker} iteration={Iteration} outcome=Cancelled duration_ms={DurationMs:F0}")]
    public static partial void WorkerIterationCancelled(this ILogger logger, string worker, long iteration, double durationMs);

    [LoggerMessage(EventId = 7035, EventName = "WorkerTimeoutRequested", Level = LogLevel.Warning,
        Message = "WORKER_TIMEOUT worker={Worker} iteration={Iteration}: still running after {TimeoutMs:F0} ms, cancellation requested.")]
    public static partial void WorkerTimeoutRequested(this ILogger logger, string worker, long iteration, double timeoutMs);
}
