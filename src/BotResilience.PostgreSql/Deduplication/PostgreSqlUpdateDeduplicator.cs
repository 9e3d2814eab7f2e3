using System.Diagnostics;
using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.Schema;
using BotResilience.PostgreSql.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BotResilience.PostgreSql.Deduplication;

/// <summary>
/// Makes each Telegram <c>update_id</c> run on one replica only: the first replica to claim an id wins
/// (<c>INSERT ... ON CONFLICT DO NOTHING</c>, one round trip); ids older than
/// <see cref="PostgreSqlUpdateDeduplicatorOptions.Retention"/> are pruned by later claims (bounded work per call),
/// so storage stays bounded.
/// </summary>
public sealed class PostgreSqlUpdateDeduplicator
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgreSqlUpdateDeduplicatorOptions _options;
    private readonly DatabaseAvailability _availability;
    private readonly string _claimSql;
    private readonly long _retentionMicroseconds;
    private readonly HashSet<long> _localSeen = [];
    private readonly Queue<long> _localOrder = new();

    /// <summary>Creates the de-duplicator. Call <see cref="PostgreSqlSchema.MigrateAsync"/> once before using it.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="options">Options; validated here. <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">Clock for the recheck interval.</param>
    /// <param name="logger">Logs outages and recoveries.</param>
    public PostgreSqlUpdateDeduplicator(NpgsqlDataSource dataSource, PostgreSqlUpdateDeduplicatorOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgreSqlUpdateDeduplicatorOptions();
        options.Validate();
        _dataSource = dataSource;
        _options = options;
        _availability = new DatabaseAvailability("update-dedupe", options.RecheckInterval, timeProvider ?? TimeProvider.System, logger);
        _claimSql = $"SELECT {PostgreSqlSchema.QuoteSchema(options.Schema)}.claim_update($1, $2, $3)";
        _retentionMicroseconds = (options.Retention.Ticks + 9) / 10;
    }

    /// <summary>Raised when the database is lost (the fallback policy applies) and when it answers again.</summary>
    public event EventHandler<AvailabilityChangedEventArgs>? AvailabilityChanged
    {
        add => _availability.Changed += value;
        remove => _availability.Changed -= value;
    }

    /// <summary>Claims <paramref name="updateId"/>.</summary>
    /// <param name="updateId">The update's <c>update_id</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> for the one caller that should process the update; <see langword="false"/> for a duplicate.</returns>
    /// <exception cref="PostgreSqlUnavailableException">The database is unreachable and the policy is <see cref="PostgreSqlUnavailablePolicy.FailClosed"/>.</exception>
    public async ValueTask<bool> TryClaimAsync(long updateId, CancellationToken cancellationToken = default)
    {
        Exception? error = null;
        if (_availability.ShouldTryDatabase())
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var command = _dataSource.CreateCommand(_claimSql);
                await using var commandScope = command.ConfigureAwait(false);
                command.Parameters.Add(new NpgsqlParameter { Value = _options.BotId });
                command.Parameters.Add(new NpgsqlParameter { Value = updateId });
                command.Parameters.Add(new NpgsqlParameter { Value = _retentionMicroseconds });
                var claimed = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                _availability.ReportSuccess();
                PostgreSqlMetrics.RecordRoundTrip("claim_update", Stopwatch.GetElapsedTime(started));
                RememberLocally(updateId);
                return claimed;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && DatabaseAvailability.IsOutage(ex))
            {
                _availability.ReportOutage(ex);
                error = ex;
            }
        }

        PostgreSqlMetrics.RecordFallback("update-dedupe");
        if (_options.UnavailablePolicy == PostgreSqlUnavailablePolicy.FailClosed)
        {
            throw new PostgreSqlUnavailableException("The PostgreSQL database is unavailable; update " + updateId + " was not claimed.", error);
        }

        return RememberLocally(updateId);
    }

    private bool RememberLocally(long updateId)
    {
        lock (_localSeen)
        {
            if (!_localSeen.Add(updateId))
            {
                return false;
            }

            _localOrder.Enqueue(updateId);
            if (_localOrder.Count > _options.LocalCapacity)
            {
                _localSeen.Remove(_localOrder.Dequeue());
            }

            return true;
        }
    }
}
