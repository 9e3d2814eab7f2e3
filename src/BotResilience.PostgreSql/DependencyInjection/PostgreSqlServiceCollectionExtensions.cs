using BotResilience.PostgreSql.Deduplication;
using BotResilience.PostgreSql.FloodGating;
using BotResilience.PostgreSql.Leadership;
using BotResilience.PostgreSql.Schema;
using BotResilience.Retry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL-backed, multi-replica components.</summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/> (unless one is registered),
    /// the shared <see cref="PostgreSqlFloodGate"/> as the <see cref="IFloodGate"/> (replacing an in-memory one),
    /// a <see cref="PostgreSqlUpdateDeduplicator"/> and a <see cref="PostgreSqlLeaderLock"/>. Call
    /// <see cref="PostgreSqlSchema.MigrateAsync"/> at start-up before using them.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Adjusts the options of the flood gate, the de-duplicator and the leader lock.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddBotResiliencePostgreSql(
        this IServiceCollection services,
        string connectionString,
        Action<PostgreSqlFloodGateOptions, PostgreSqlUpdateDeduplicatorOptions, PostgreSqlLeaderLockOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var floodGate = new PostgreSqlFloodGateOptions();
        var dedupe = new PostgreSqlUpdateDeduplicatorOptions();
        var leader = new PostgreSqlLeaderLockOptions();
        configure?.Invoke(floodGate, dedupe, leader);
        // Fail at registration with a message naming the option, not at first use.
        _ = new PostgreSqlLeaderLock(connectionString, leader);

        services.TryAddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<IFloodGate>();
        services.AddSingleton(sp => new PostgreSqlFloodGate(
            sp.GetRequiredService<NpgsqlDataSource>(), floodGate, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<PostgreSqlFloodGate>>()));
        services.AddSingleton<IFloodGate>(sp => sp.GetRequiredService<PostgreSqlFloodGate>());
        services.TryAddSingleton(sp => new PostgreSqlUpdateDeduplicator(
            sp.GetRequiredService<NpgsqlDataSource>(), dedupe, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<PostgreSqlUpdateDeduplicator>>()));
        services.TryAddSingleton(sp => new PostgreSqlLeaderLock(
            connectionString, leader, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<PostgreSqlLeaderLock>>()));
        return services;
    }
}
