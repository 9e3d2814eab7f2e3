using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.Deduplication;
using BotResilience.PostgreSql.FloodGating;
using BotResilience.PostgreSql.Leadership;
using BotResilience.PostgreSql.RateLimiting;
using BotResilience.PostgreSql.Schema;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BotResilience.PostgreSql.Tests;

/// <summary>The code of the README section "Multi-replica bots on PostgreSQL", kept compiling and running.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReadmeExampleTests(PostgresFixture db)
{
    [Fact]
    public async Task Readme_example_runs()
    {
        db.EnsureServer();
        var connectionString = db.ConnectionString;
        var schema = "readme_" + Guid.NewGuid().ToString("N")[..8];
        var sent = 0;

        // --- README example starts ---
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await PostgreSqlSchema.MigrateAsync(dataSource, schema); // idempotent; safe from every replica at once

        // Telegram's ~30 messages/s per bot token, shared by ALL replicas.
        using var global = new PostgreSqlRateLimiter(dataSource, new PostgreSqlRateLimiterOptions
        {
            Name = "telegram-global",
            Schema = schema,
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(1), QueueLimit = 100 },
            ReplicaCount = 3,                                         // database down: each replica sends 10/s
            UnavailablePolicy = PostgreSqlUnavailablePolicy.FallBackToLocal,
        });
        var floodGate = new PostgreSqlFloodGate(dataSource, new PostgreSqlFloodGateOptions { Schema = schema });
        var dedupe = new PostgreSqlUpdateDeduplicator(dataSource, new PostgreSqlUpdateDeduplicatorOptions { Schema = schema, BotId = "my-bot" });
        await using var leader = new PostgreSqlLeaderLock(connectionString, new PostgreSqlLeaderLockOptions { Name = "my-bot-poller" });

        long updateId = 123456;
        if (await dedupe.TryClaimAsync(updateId))                     // true on exactly one replica
        {
            await floodGate.WaitAsync("bot");                         // a 429 seen by any replica holds all of them
            var decision = await global.AcquireAsync();
            if (decision.IsGranted)
            {
                sent++;                                               // send the reply here
            }
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        try
        {
            // Only one replica runs the poller; a standby takes over when the leader dies.
            await leader.RunAsLeaderAsync(async token => await Task.Delay(Timeout.Infinite, token), stop.Token);
        }
        catch (OperationCanceledException)
        {
            // shutting down: the lock was released
        }
        // --- README example ends ---

        Assert.Equal(1, sent);
        Assert.False(await dedupe.TryClaimAsync(updateId));
        Assert.False(leader.IsLeader);

        // DI form.
        var services = new ServiceCollection();
        services.AddBotResiliencePostgreSql(connectionString, (flood, updates, lockOptions) =>
        {
            flood.Schema = schema;
            updates.Schema = schema;
            updates.BotId = "my-bot";
            lockOptions.Name = "my-bot-poller";
        });
        await using var provider = services.BuildServiceProvider();
        Assert.IsType<PostgreSqlFloodGate>(provider.GetRequiredService<IFloodGate>());
        Assert.False(await provider.GetRequiredService<PostgreSqlUpdateDeduplicator>().TryClaimAsync(updateId));
    }
}
