using System.Diagnostics;
using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.Schema;
using BotResilience.PostgreSql.Telemetry;
using BotResilience.RateLimiting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BotResilience.PostgreSql.RateLimiting;

/// <summary>
/// A keyed rate limiter (per chat, per user, per bot token...) whose state lives in PostgreSQL, so that every
/// replica of a bot shares one budget. Each acquisition is one round trip: a call of a server-side function that
/// serialises on the key, reads the server's clock and grants or refuses with the exact <c>RetryAfter</c>
/// (same contract as <see cref="KeyedRateLimiter{TKey}"/>). State of idle keys is deleted by later calls
/// (bounded work per call), so storage follows the active keys.
/// </summary>
/// <remarks>
/// Prefer <see cref="TryAcquireAsync"/> and <see cref="AcquireAsync"/>; <see cref="TryAcquire"/> performs the
/// round trip synchronously. While the database is unreachable the limiter follows
/// <see cref="PostgreSqlRateLimiterOptions.UnavailablePolicy"/> and raises <see cref="AvailabilityChanged"/>.
/// </remarks>
public sealed class PostgreSqlKeyedRateLimiter : IKeyedRateLimiter<string>, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgreSqlRateLimiterOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly DatabaseAvailability _availability;
    private readonly KeyedRateLimiter<string> _local;
    private readonly int _localMaxPermits;
    private readonly string _acquireSql;
    private readonly string _countSql;
    private readonly string _component;
    private readonly Dictionary<string, KeyQueue> _queues = new(StringComparer.Ordinal);
    private readonly int _queueLimit;
    private int _queuedPermits;
    private bool _disposed;

    /// <summary>Creates the limiter. Call <see cref="PostgreSqlSchema.MigrateAsync"/> once before using it.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="options">The limit and policies; validated here.</param>
    /// <param name="timeProvider">Clock for waiting and for the local fallback; the budget itself uses the server's clock.</param>
    /// <param name="logger">Logs outages and recoveries.</param>
    public PostgreSqlKeyedRateLimiter(NpgsqlDataSource dataSource, PostgreSqlRateLimiterOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _dataSource = dataSource;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _component = "limiter:" + options.Name;
        _availability = new DatabaseAvailability(_component, options.RecheckInterval, _timeProvider, logger);
        var localShare = options.LocalShare();
        _local = new KeyedRateLimiter<string>(localShare, _timeProvider, StringComparer.Ordinal);
        _localMaxPermits = localShare is SlidingWindowLimiterOptions w ? w.PermitLimit : ((TokenBucketLimiterOptions)localShare).TokenLimit;
        _queueLimit = options.Limit!.QueueLimit;
        var schema = PostgreSqlSchema.QuoteSchema(options.Schema);
        _acquireSql = options.Limit is SlidingWindowLimiterOptions
            ? $"SELECT granted, retry_after_us, server_us FROM {schema}.sliding_acquire($1, $2, $3, $4, $5)"
            : $"SELECT granted, retry_after_us, server_us FROM {schema}.bucket_acquire($1, $2, $3, $4, $5, $6)";
        _countSql = options.Limit is SlidingWindowLimiterOptions
            ? $"SELECT count(DISTINCT key) FROM {schema}.sliding_log WHERE limiter = $1 AND expires_us > {schema}.now_us()"
            : $"SELECT count(*) FROM {schema}.token_bucket WHERE limiter = $1 AND full_us > {schema}.now_us()";
    }

    /// <summary>Raised when the database is lost (the fallback takes over) and when it answers again.</summary>
    public event EventHandler<AvailabilityChangedEventArgs>? AvailabilityChanged
    {
        add => _availability.Changed += value;
        remove => _availability.Changed -= value;
    }

    /// <summary>The limiter's name (shared by the replicas).</summary>
    public string Name => _options.Name;

    /// <summary><see langword="false"/> while the database is unreachable and the fallback policy applies.</summary>
    public bool IsDatabaseAvailable => _availability.IsAvailable;

    /// <summary>
    /// Number of keys whose state the database holds (one query; while the database is unreachable, the local
    /// fallback's count).
    /// </summary>
    public int TrackedKeyCount
    {
        get
        {
            try
            {
                using var command = _dataSource.CreateCommand(_countSql);
                command.Parameters.Add(new NpgsqlParameter { Value = _options.Name });
                return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (DatabaseAvailability.IsOutage(ex))
            {
                _availability.ReportOutage(ex);
                return _local.TrackedKeyCount;
            }
        }
    }

    /// <inheritdoc />
    public RateLimitDecision TryAcquire(string key, int permits = 1)
    {
        ValidateRequest(key, permits);
        if (_availability.ShouldTryDatabase())
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var command = CreateAcquireCommand(key, permits);
                using var reader = command.ExecuteReader();
                reader.Read();
                var decision = ToDecision(reader.GetBoolean(0), reader.GetInt64(1));
                _availability.ReportSuccess();
                PostgreSqlMetrics.RecordRoundTrip("acquire", Stopwatch.GetElapsedTime(started));
                return decision;
            }
            catch (Exception ex) when (DatabaseAvailability.IsOutage(ex))
            {
                _availability.ReportOutage(ex);
            }
        }

        return Fallback(key, permits);
    }

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> TryAcquireAsync(string key, int permits = 1, CancellationToken cancellationToken = default)
        => (await AcquireOnceAsync(key, permits, cancellationToken).ConfigureAwait(false)).Decision;

    /// <summary>
    /// Waits until <paramref name="permits"/> are granted. Waiters of this process for the same key are served
    /// first-in first-out and sleep exactly the <c>RetryAfter</c> the server computed; across replicas the
    /// database decides. Returns <see cref="RateLimitOutcome.QueueFull"/> at once when the process's waiters already
    /// hold <see cref="RateLimitOptions.QueueLimit"/> permits.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="permits">Permits to acquire.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask<RateLimitDecision> AcquireAsync(string key, int permits = 1, CancellationToken cancellationToken = default)
    {
        ValidateRequest(key, permits);
        KeyQueue queue;
        lock (_queues)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_queues.TryGetValue(key, out queue!))
            {
                // Nobody of this process waits for the key: try at once.
                queue = new KeyQueue();
            }
            else if (_queuedPermits + permits > _queueLimit)
            {
                return RateLimitDecision.QueueFull(_options.UnavailableRetryAfter);
            }
        }

        var queueFullRetryAfter = _options.UnavailableRetryAfter;
        if (queue.Users == 0)
        {
            var first = await AcquireOnceAsync(key, permits, cancellationToken).ConfigureAwait(false);
            if (first.Decision.IsGranted)
            {
                return first.Decision;
            }

            // The exact time the server computed for this request.
            queueFullRetryAfter = first.Decision.RetryAfter;
        }

        lock (_queues)
        {
            if (_queuedPermits + permits > _queueLimit)
            {
                return RateLimitDecision.QueueFull(queueFullRetryAfter);
            }

            if (!_queues.TryGetValue(key, out queue!))
            {
                queue = new KeyQueue();
                _queues.Add(key, queue);
            }

            queue.Users++;
            _queuedPermits += permits;
        }

        var entered = false;
        try
        {
            await queue.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            entered = true;
            while (true)
            {
                var attempt = await AcquireOnceAsync(key, permits, cancellationToken).ConfigureAwait(false);
                if (attempt.Decision.IsGranted)
                {
                    return attempt.Decision;
                }

                await Task.Delay(attempt.Decision.RetryAfter, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (entered)
            {
                queue.Turn.Release();
            }

            lock (_queues)
            {
                _queuedPermits -= permits;
                if (--queue.Users == 0)
                {
                    _queues.Remove(key);
                    queue.Turn.Dispose();
                }
            }
        }
    }

    /// <summary>Releases the local fallback.</summary>
    public void Dispose()
    {
        lock (_queues)
        {
            _disposed = true;
        }

        _local.Dispose();
    }

    /// <summary>One acquisition; also returns the server time of the decision (microseconds since the epoch, 0 when decided locally).</summary>
    internal async ValueTask<(RateLimitDecision Decision, long ServerMicroseconds)> AcquireOnceAsync(string key, int permits, CancellationToken cancellationToken)
    {
        ValidateRequest(key, permits);
        if (_availability.ShouldTryDatabase())
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var command = CreateAcquireCommand(key, permits);
                await using var commandScope = command.ConfigureAwait(false);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var decision = ToDecision(reader.GetBoolean(0), reader.GetInt64(1));
                var server = reader.GetInt64(2);
                _availability.ReportSuccess();
                PostgreSqlMetrics.RecordRoundTrip("acquire", Stopwatch.GetElapsedTime(started));
                return (decision, server);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && DatabaseAvailability.IsOutage(ex))
            {
                _availability.ReportOutage(ex);
            }
        }

        return (Fallback(key, permits), 0);
    }

    private NpgsqlCommand CreateAcquireCommand(string key, int permits)
    {
        var command = _dataSource.CreateCommand(_acquireSql);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = _options.Name });
        p.Add(new NpgsqlParameter { Value = key });
        p.Add(new NpgsqlParameter { Value = permits });
        switch (_options.Limit)
        {
            case SlidingWindowLimiterOptions window:
                p.Add(new NpgsqlParameter { Value = window.PermitLimit });
                p.Add(new NpgsqlParameter { Value = ToMicroseconds(window.Window) });
                break;
            case TokenBucketLimiterOptions bucket:
                p.Add(new NpgsqlParameter { Value = bucket.TokenLimit });
                p.Add(new NpgsqlParameter { Value = bucket.TokensPerPeriod });
                p.Add(new NpgsqlParameter { Value = ToMicroseconds(bucket.ReplenishmentPeriod) });
                break;
        }

        return command;
    }

    private RateLimitDecision Fallback(string key, int permits)
    {
        PostgreSqlMetrics.RecordFallback(_component);
        if (_options.UnavailablePolicy == PostgreSqlUnavailablePolicy.FailClosed)
        {
            return RateLimitDecision.Throttled(_options.UnavailableRetryAfter);
        }

        // A request larger than the local share can never be granted locally: refuse until the database is back.
        return permits > _localMaxPermits
            ? RateLimitDecision.Throttled(_options.RecheckInterval)
            : _local.TryAcquire(key, permits);
    }

    private void ValidateRequest(string key, int permits)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (permits < 1 || permits > _options.MaxPermits)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, $"permits must be between 1 and the limit's {_options.MaxPermits} (PermitLimit / TokenLimit).");
        }
    }

    private static RateLimitDecision ToDecision(bool granted, long retryAfterMicroseconds)
        => granted ? RateLimitDecision.Granted : RateLimitDecision.Throttled(TimeSpan.FromTicks(retryAfterMicroseconds * 10));

    internal static long ToMicroseconds(TimeSpan value) => (value.Ticks + 9) / 10;

    private sealed class KeyQueue
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
