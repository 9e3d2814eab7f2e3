using BotResilience.PostgreSql.Availability;
using BotResilience.RateLimiting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BotResilience.PostgreSql.RateLimiting;

/// <summary>
/// One budget shared by every replica (for example Telegram's ~30 messages/s per bot token), stored in
/// PostgreSQL. The single-key form of <see cref="PostgreSqlKeyedRateLimiter"/>; same contract as the in-memory
/// <see cref="SlidingWindowLimiter"/> and <see cref="TokenBucketLimiter"/>.
/// </summary>
public sealed class PostgreSqlRateLimiter : IRateLimiter, IDisposable
{
    private const string SingleKey = "";
    private readonly PostgreSqlKeyedRateLimiter _keyed;

    /// <summary>Creates the limiter. Call <see cref="Schema.PostgreSqlSchema.MigrateAsync"/> once before using it.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="options">The limit and policies; validated here.</param>
    /// <param name="timeProvider">Clock for waiting and for the local fallback.</param>
    /// <param name="logger">Logs outages and recoveries.</param>
    public PostgreSqlRateLimiter(NpgsqlDataSource dataSource, PostgreSqlRateLimiterOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
        => _keyed = new PostgreSqlKeyedRateLimiter(dataSource, options, timeProvider, logger);

    /// <summary>Raised when the database is lost (the fallback takes over) and when it answers again.</summary>
    public event EventHandler<AvailabilityChangedEventArgs>? AvailabilityChanged
    {
        add => _keyed.AvailabilityChanged += value;
        remove => _keyed.AvailabilityChanged -= value;
    }

    /// <summary>The limiter's name (shared by the replicas).</summary>
    public string Name => _keyed.Name;

    /// <summary><see langword="false"/> while the database is unreachable and the fallback policy applies.</summary>
    public bool IsDatabaseAvailable => _keyed.IsDatabaseAvailable;

    /// <inheritdoc />
    public RateLimitDecision TryAcquire(int permits = 1) => _keyed.TryAcquire(SingleKey, permits);

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
        => _keyed.TryAcquireAsync(SingleKey, permits, cancellationToken);

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> AcquireAsync(int permits = 1, CancellationToken cancellationToken = default)
        => _keyed.AcquireAsync(SingleKey, permits, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _keyed.Dispose();

    internal ValueTask<(RateLimitDecision Decision, long ServerMicroseconds)> AcquireOnceAsync(int permits, CancellationToken cancellationToken)
        => _keyed.AcquireOnceAsync(SingleKey, permits, cancellationToken);
}
