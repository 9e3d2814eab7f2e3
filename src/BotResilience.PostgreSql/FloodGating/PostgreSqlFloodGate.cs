using System.Diagnostics;
using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.Schema;
using BotResilience.PostgreSql.Telemetry;
using BotResilience.Retry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BotResilience.PostgreSql.FloodGating;

/// <summary>
/// A flood gate shared by every replica: a 429 / <c>FLOOD_WAIT_X</c> seen by one replica pauses the scope for
/// all of them until the deadline. Deadlines are kept on the server's clock and merged with <c>GREATEST</c>, so
/// they only move later. A local <see cref="FloodGate"/> mirrors every deadline this process learns: while a
/// scope is known to be paused no round trip is made, and while the database is unreachable the local gate
/// keeps holding what this replica saw.
/// </summary>
public sealed class PostgreSqlFloodGate : IFloodGate
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly FloodGate _local;
    private readonly DatabaseAvailability _availability;
    private readonly string _pauseSql;
    private readonly string _remainingSql;

    /// <summary>Creates the gate. Call <see cref="PostgreSqlSchema.MigrateAsync"/> once before using it.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="options">Options; validated here. <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">Clock for waiting and for the local mirror.</param>
    /// <param name="logger">Logs outages and recoveries.</param>
    public PostgreSqlFloodGate(NpgsqlDataSource dataSource, PostgreSqlFloodGateOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgreSqlFloodGateOptions();
        options.Validate();
        _dataSource = dataSource;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _local = new FloodGate(_timeProvider);
        _availability = new DatabaseAvailability("flood-gate", options.RecheckInterval, _timeProvider, logger);
        var schema = PostgreSqlSchema.QuoteSchema(options.Schema);
        _pauseSql = $"SELECT {schema}.flood_pause($1, $2)";
        _remainingSql = $"SELECT {schema}.flood_remaining($1)";
    }

    /// <summary>Raised when the database is lost (only the local gate holds) and when it answers again.</summary>
    public event EventHandler<AvailabilityChangedEventArgs>? AvailabilityChanged
    {
        add => _availability.Changed += value;
        remove => _availability.Changed -= value;
    }

    /// <summary>Raised when this process pauses a scope (not when another replica does).</summary>
    public event EventHandler<FloodGatePausedEventArgs>? Paused
    {
        add => _local.Paused += value;
        remove => _local.Paused -= value;
    }

    /// <inheritdoc />
    public async ValueTask PauseAsync(string scope, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        _local.Pause(scope, duration);
        var remaining = await RoundTripAsync(_pauseSql, scope, BotResilience.PostgreSql.RateLimiting.PostgreSqlKeyedRateLimiter.ToMicroseconds(duration), cancellationToken).ConfigureAwait(false);
        if (remaining is { } merged && merged > duration)
        {
            // Another replica holds a later deadline: mirror it.
            _local.Pause(scope, merged);
        }
    }

    /// <inheritdoc />
    public async ValueTask<TimeSpan> GetRemainingPauseAsync(string scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var local = _local.GetRemainingPause(scope);
        if (local > TimeSpan.Zero)
        {
            // Deadlines only move later, so the scope is paused at least this long: no round trip needed.
            return local;
        }

        var remote = await RoundTripAsync(_remainingSql, scope, null, cancellationToken).ConfigureAwait(false);
        if (remote is { } value && value > TimeSpan.Zero)
        {
            _local.Pause(scope, value);
            return value;
        }

        return TimeSpan.Zero;
    }

    /// <inheritdoc />
    public async ValueTask WaitAsync(string scope, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var remaining = await GetRemainingPauseAsync(scope, cancellationToken).ConfigureAwait(false);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(remaining, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<TimeSpan?> RoundTripAsync(string sql, string scope, long? durationMicroseconds, CancellationToken cancellationToken)
    {
        if (!_availability.ShouldTryDatabase())
        {
            PostgreSqlMetrics.RecordFallback("flood-gate");
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var command = _dataSource.CreateCommand(sql);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = scope });
            if (durationMicroseconds is { } micros)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = micros });
            }

            var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            _availability.ReportSuccess();
            PostgreSqlMetrics.RecordRoundTrip(durationMicroseconds is null ? "flood_remaining" : "flood_pause", Stopwatch.GetElapsedTime(started));
            return TimeSpan.FromTicks(Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture) * 10);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && DatabaseAvailability.IsOutage(ex))
        {
            _availability.ReportOutage(ex);
            return null;
        }
    }
}
