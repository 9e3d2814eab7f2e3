using System.Net.Sockets;
using BotResilience.PostgreSql.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BotResilience.PostgreSql.Availability;

/// <summary>
/// Tracks whether the database answers for one component. After a failure the component uses its fallback for
/// <c>recheckInterval</c> before it tries the database again, so an outage costs one failed round trip per
/// interval, not one per call.
/// </summary>
internal sealed partial class DatabaseAvailability
{
    private readonly string _component;
    private readonly TimeProvider _timeProvider;
    private readonly long _recheckTicks;
    private readonly ILogger? _logger;
    private long _retryAtTimestamp;
    private int _unavailable;

    public DatabaseAvailability(string component, TimeSpan recheckInterval, TimeProvider timeProvider, ILogger? logger)
    {
        _component = component;
        _timeProvider = timeProvider;
        _recheckTicks = (long)(recheckInterval.TotalSeconds * timeProvider.TimestampFrequency);
        _logger = logger;
    }

    public event EventHandler<AvailabilityChangedEventArgs>? Changed;

    public bool IsAvailable => Volatile.Read(ref _unavailable) == 0;

    /// <summary>Whether the next call should go to the database (available, or the recheck interval passed).</summary>
    public bool ShouldTryDatabase()
        => Volatile.Read(ref _unavailable) == 0 || _timeProvider.GetTimestamp() >= Volatile.Read(ref _retryAtTimestamp);

    /// <summary>Whether <paramref name="exception"/> means "the database cannot be reached" (as opposed to a bug).</summary>
    public static bool IsOutage(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        SocketException or TimeoutException => true,
        _ => false,
    };

    public void ReportSuccess()
    {
        if (Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            LogRecovered(_logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, _component);
            Changed?.Invoke(this, new AvailabilityChangedEventArgs(_component, true, null));
        }
    }

    public void ReportOutage(Exception error)
    {
        Volatile.Write(ref _retryAtTimestamp, _timeProvider.GetTimestamp() + _recheckTicks);
        PostgreSqlMetrics.RecordOutage(_component);
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            LogLost(_logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, error, _component);
            Changed?.Invoke(this, new AvailabilityChangedEventArgs(_component, false, error));
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "PostgreSQL unavailable for {Component}; using the configured fallback")]
    private static partial void LogLost(ILogger logger, Exception error, string component);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "PostgreSQL available again for {Component}")]
    private static partial void LogRecovered(ILogger logger, string component);
}
