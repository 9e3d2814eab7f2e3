using System.Collections.Concurrent;
using System.Diagnostics;
using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.Deduplication;
using BotResilience.PostgreSql.FloodGating;
using BotResilience.PostgreSql.Leadership;
using BotResilience.Retry;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BotResilience.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class CoordinationTests(PostgresFixture db, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_pause_seen_by_replica_A_holds_replica_B_until_the_deadline()
    {
        var a = db.NewDataSource();
        var b = db.NewDataSource();
        var schema = await db.NewSchemaAsync(a, "flood");
        var gateA = new PostgreSqlFloodGate(a, new PostgreSqlFloodGateOptions { Schema = schema });
        var gateB = new PostgreSqlFloodGate(b, new PostgreSqlFloodGateOptions { Schema = schema });
        Assert.Equal(TimeSpan.Zero, await gateB.GetRemainingPauseAsync("bot"));

        var started = Stopwatch.GetTimestamp();
        await gateA.PauseAsync("bot", TimeSpan.FromMilliseconds(800));
        var remaining = await gateB.GetRemainingPauseAsync("bot");
        Assert.InRange(remaining, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(800));
        Assert.Equal(TimeSpan.Zero, await gateB.GetRemainingPauseAsync("other-scope"));

        // Merge with max: a shorter later pause does not shorten the deadline.
        await gateB.PauseAsync("bot", TimeSpan.FromMilliseconds(50));
        var gateC = new PostgreSqlFloodGate(db.NewDataSource(), new PostgreSqlFloodGateOptions { Schema = schema });
        Assert.True(await gateC.GetRemainingPauseAsync("bot") > TimeSpan.FromMilliseconds(200));

        await gateB.WaitAsync("bot");
        var waited = Stopwatch.GetElapsedTime(started);
        Assert.True(waited >= TimeSpan.FromMilliseconds(780), $"B waited only {waited}");
        Assert.True(waited < TimeSpan.FromSeconds(3), $"B waited {waited}");
        Assert.Equal(TimeSpan.Zero, await gateC.GetRemainingPauseAsync("bot"));

        // A longer later pause extends it.
        await gateA.PauseAsync("bot", TimeSpan.FromMilliseconds(100));
        await gateB.PauseAsync("bot", TimeSpan.FromMilliseconds(600));
        Assert.True(await gateC.GetRemainingPauseAsync("bot") > TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Killing_the_leaders_connection_hands_leadership_to_the_standby()
    {
        var schemaName = "leader_" + Guid.NewGuid().ToString("N")[..8];
        var options = new PostgreSqlLeaderLockOptions { Name = schemaName, CheckInterval = TimeSpan.FromMilliseconds(200), RetryInterval = TimeSpan.FromMilliseconds(200) };
        await using var a = new PostgreSqlLeaderLock(db.ConnectionString, options);
        await using var b = new PostgreSqlLeaderLock(db.ConnectionString, options);
        var lost = new TaskCompletionSource<LeadershipChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.LeadershipChanged += (_, e) =>
        {
            if (!e.IsLeader)
            {
                lost.TrySetResult(e);
            }
        };

        Assert.True(await a.TryAcquireAsync());
        Assert.True(a.IsLeader);
        Assert.False(a.LeadershipToken.IsCancellationRequested);
        Assert.False(await b.TryAcquireAsync());
        Assert.False(b.IsLeader);
        Assert.True(b.LeadershipToken.IsCancellationRequested);

        var bLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var standby = b.RunAsLeaderAsync(async token =>
        {
            bLeads.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
        }, stop.Token);

        var token = a.LeadershipToken;
        var pid = a.BackendProcessId!.Value;
        var killed = Stopwatch.GetTimestamp();
        var admin = db.NewDataSource();
        await using (var kill = admin.CreateCommand("SELECT pg_terminate_backend($1)"))
        {
            kill.Parameters.Add(new NpgsqlParameter { Value = pid });
            Assert.Equal(true, await kill.ExecuteScalarAsync());
        }

        var loss = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var lossAfter = Stopwatch.GetElapsedTime(killed);
        Assert.NotNull(loss.Error);
        Assert.False(a.IsLeader);
        Assert.True(token.IsCancellationRequested);
        Assert.Null(a.BackendProcessId);
        await bLeads.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var takeover = Stopwatch.GetElapsedTime(killed);
        Assert.True(b.IsLeader);
        output.WriteLine($"loss reported after {lossAfter.TotalMilliseconds:F0} ms, standby leading after {takeover.TotalMilliseconds:F0} ms");
        Assert.True(lossAfter < TimeSpan.FromSeconds(2), $"loss reported after {lossAfter}");
        Assert.True(takeover <= TimeSpan.FromSeconds(5), $"takeover after {takeover}");

        // The old leader is now a standby.
        Assert.False(await a.TryAcquireAsync());
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => standby);
        Assert.False(b.IsLeader);

        // RunAsLeaderAsync released the lock: A acquires at once.
        Assert.True(await a.TryAcquireAsync());
    }

    [Fact]
    public async Task DisposeAsync_releases_the_lock_at_once()
    {
        var options = new PostgreSqlLeaderLockOptions { Name = "dispose-" + Guid.NewGuid().ToString("N"), CheckInterval = TimeSpan.FromMilliseconds(200), RetryInterval = TimeSpan.FromMilliseconds(200) };
        var a = new PostgreSqlLeaderLock(db.ConnectionString, options);
        await using var b = new PostgreSqlLeaderLock(db.ConnectionString, options);
        var events = new ConcurrentQueue<bool>();
        a.LeadershipChanged += (_, e) => events.Enqueue(e.IsLeader);
        await a.AcquireAsync();
        Assert.False(await b.TryAcquireAsync());
        await a.DisposeAsync();
        Assert.True(await b.TryAcquireAsync());
        Assert.Equal([true, false], events.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlLeaderLock(db.ConnectionString, new PostgreSqlLeaderLockOptions { CheckInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new PostgreSqlLeaderLock(db.ConnectionString, new PostgreSqlLeaderLockOptions { Name = "" }));
    }

    [Fact]
    public async Task Three_pools_claiming_the_same_ids_each_id_is_claimed_exactly_once()
    {
        var first = db.NewDataSource();
        var schema = await db.NewSchemaAsync(first, "dedupe");
        var pools = new[] { first, db.NewDataSource(), db.NewDataSource() };
        var claims = new ConcurrentDictionary<long, int>();
        var tasks = pools.Select((p, index) => Task.Run(async () =>
        {
            var dedupe = new PostgreSqlUpdateDeduplicator(p, new PostgreSqlUpdateDeduplicatorOptions { Schema = schema, BotId = "bot1" });
            var ids = Enumerable.Range(1, 500).Select(i => (long)i).ToArray();
            if (index == 1)
            {
                Array.Reverse(ids);
            }

            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, ct) =>
            {
                if (await dedupe.TryClaimAsync(id, ct))
                {
                    claims.AddOrUpdate(id, 1, (_, n) => n + 1);
                }
            });
        })).ToArray();
        await Task.WhenAll(tasks);
        Assert.Equal(500, claims.Count);
        Assert.All(claims, pair => Assert.Equal(1, pair.Value));

        // Another bot's ids are separate.
        var other = new PostgreSqlUpdateDeduplicator(first, new PostgreSqlUpdateDeduplicatorOptions { Schema = schema, BotId = "bot2" });
        Assert.True(await other.TryClaimAsync(1));
        Assert.False(await other.TryClaimAsync(1));
    }

    [Fact]
    public async Task Retention_prunes_old_ids()
    {
        var ds = db.NewDataSource();
        var schema = await db.NewSchemaAsync(ds, "prune");
        var dedupe = new PostgreSqlUpdateDeduplicator(ds, new PostgreSqlUpdateDeduplicatorOptions { Schema = schema, Retention = TimeSpan.FromMilliseconds(200) });
        for (var i = 0; i < 50; i++)
        {
            Assert.True(await dedupe.TryClaimAsync(i));
        }

        Assert.False(await dedupe.TryClaimAsync(7));
        await Task.Delay(300);
        Assert.True(await dedupe.TryClaimAsync(1000));
        await using var count = ds.CreateCommand($"SELECT count(*) FROM \"{schema}\".processed_updates");
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Dedupe_on_an_unreachable_database_fails_closed_or_falls_back_locally()
    {
        var closed = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1;Username=postgres");
        var failClosed = new PostgreSqlUpdateDeduplicator(closed, new PostgreSqlUpdateDeduplicatorOptions { UnavailablePolicy = PostgreSqlUnavailablePolicy.FailClosed });
        var error = await Assert.ThrowsAsync<PostgreSqlUnavailableException>(() => failClosed.TryClaimAsync(1).AsTask());
        Assert.NotNull(error.InnerException);
        await Assert.ThrowsAsync<PostgreSqlUnavailableException>(() => failClosed.TryClaimAsync(2).AsTask());

        var local = new PostgreSqlUpdateDeduplicator(closed, new PostgreSqlUpdateDeduplicatorOptions { UnavailablePolicy = PostgreSqlUnavailablePolicy.FallBackToLocal });
        var changes = 0;
        local.AvailabilityChanged += (_, _) => changes++;
        Assert.True(await local.TryClaimAsync(1));
        Assert.False(await local.TryClaimAsync(1));
        Assert.Equal(1, changes);
    }

    [Fact]
    public async Task Flood_gate_on_an_unreachable_database_keeps_the_local_pause()
    {
        var closed = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1;Username=postgres");
        var gate = new PostgreSqlFloodGate(closed);
        var changes = new List<AvailabilityChangedEventArgs>();
        gate.AvailabilityChanged += (_, e) => changes.Add(e);
        await gate.PauseAsync("bot", TimeSpan.FromMilliseconds(300));
        Assert.True(await gate.GetRemainingPauseAsync("bot") > TimeSpan.Zero);
        Assert.False(Assert.Single(changes).IsAvailable);
        var started = Stopwatch.GetTimestamp();
        await gate.WaitAsync("bot");
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public async Task AddBotResiliencePostgreSql_resolves_the_components()
    {
        db.EnsureServer();
        var services = new ServiceCollection();
        services.AddSingleton<IFloodGate>(new FloodGate());
        services.AddBotResiliencePostgreSql(db.ConnectionString, (flood, dedupe, leader) => leader.Name = "di-" + Guid.NewGuid().ToString("N"));
        await using var provider = services.BuildServiceProvider();
        Assert.IsType<PostgreSqlFloodGate>(provider.GetRequiredService<IFloodGate>());
        Assert.Same(provider.GetRequiredService<PostgreSqlFloodGate>(), provider.GetRequiredService<IFloodGate>());
        Assert.NotNull(provider.GetRequiredService<PostgreSqlUpdateDeduplicator>());
        Assert.NotNull(provider.GetRequiredService<PostgreSqlLeaderLock>());
        Assert.NotNull(provider.GetRequiredService<NpgsqlDataSource>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddBotResiliencePostgreSql(db.ConnectionString, (_, _, l) => l.RetryInterval = TimeSpan.Zero));
    }
}
