using System.Diagnostics;
using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.RateLimiting;
using BotResilience.PostgreSql.Schema;
using BotResilience.RateLimiting;
using Npgsql;

namespace BotResilience.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class LimiterTests(PostgresFixture db, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Migration_is_idempotent_and_safe_when_two_replicas_migrate_at_once()
    {
        var a = db.NewDataSource();
        var b = db.NewDataSource();
        var schema = await db.NewSchemaAsync(a, "mig");
        await PostgreSqlSchema.MigrateAsync(a, schema);
        await Task.WhenAll(PostgreSqlSchema.MigrateAsync(a, schema), PostgreSqlSchema.MigrateAsync(b, schema));

        // A brand-new schema migrated concurrently from two pools.
        var fresh = "mig_fresh_" + Guid.NewGuid().ToString("N")[..8];
        await Task.WhenAll(PostgreSqlSchema.MigrateAsync(a, fresh), PostgreSqlSchema.MigrateAsync(b, fresh));
        await using var command = a.CreateCommand($"SELECT count(*) FROM \"{fresh}\".schema_version");
        Assert.Equal(1L, await command.ExecuteScalarAsync());
        await using var version = a.CreateCommand($"SELECT version FROM \"{fresh}\".schema_version");
        Assert.Equal(PostgreSqlSchema.Version, await version.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("1abc")]
    [InlineData("x\"; DROP TABLE y; --")]
    public async Task Migration_rejects_invalid_schema_names(string schema)
    {
        var a = db.NewDataSource();
        await Assert.ThrowsAsync<ArgumentException>(() => PostgreSqlSchema.MigrateAsync(a, schema));
    }

    [Fact]
    public async Task Three_replicas_share_one_exact_sliding_window_and_never_exceed_it_in_any_second()
    {
        var first = db.NewDataSource();
        var schema = await db.NewSchemaAsync(first, "sw3");
        var grants = await HammerAsync(schema, first, new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 });
        var max = MaxInInterval(grants, 1_000_000);
        output.WriteLine($"sliding window: {grants.Count} grants in ~3 s, max {max} in any 1 s");
        Assert.True(max <= 30, $"{max} grants in one 1 s interval (limit 30)");
        // ~3 s of hammering: the first window plus about two more; at least 2 full windows' worth reached.
        Assert.True(grants.Count >= 60, $"only {grants.Count} grants in ~3 s against a 30/s budget");
    }

    [Fact]
    public async Task Three_replicas_share_one_token_bucket_and_never_exceed_capacity_plus_rate()
    {
        var first = db.NewDataSource();
        var schema = await db.NewSchemaAsync(first, "tb3");
        var grants = await HammerAsync(schema, first, new TokenBucketLimiterOptions { TokenLimit = 10, TokensPerPeriod = 20, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0 });
        grants.Sort();
        // In any interval of length d at most capacity + rate·d grants (plus one for the boundary refill).
        for (var i = 0; i < grants.Count; i++)
        {
            for (var j = i; j < grants.Count; j++)
            {
                var d = (grants[j] - grants[i]) / 1e6;
                var allowed = 10 + (20 * d) + 1e-9;
                Assert.True(j - i + 1 <= Math.Floor(allowed), $"{j - i + 1} grants within {d:F6} s (allowed {allowed:F3})");
            }
        }

        output.WriteLine($"token bucket: {grants.Count} grants in ~3 s (bound 10 + 20/s)");
        Assert.True(grants.Count >= 40, $"only {grants.Count} grants in ~3 s (capacity 10 + 20/s)");
    }

    [Fact]
    public async Task RetryAfter_is_exact_waiting_it_is_granted_and_clearly_before_it_is_not()
    {
        var ds = db.NewDataSource();
        var schema = await db.NewSchemaAsync(ds, "retry");
        using var limiter = new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions
        {
            Name = "r",
            Schema = schema,
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 3, Window = TimeSpan.FromMilliseconds(800) },
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await limiter.TryAcquireAsync()).IsGranted);
        }

        var refused = await limiter.TryAcquireAsync();
        Assert.Equal(RateLimitOutcome.Throttled, refused.Outcome);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(800));

        // Clearly before RetryAfter (less than half of it has passed): still refused.
        var early = await limiter.TryAcquireAsync();
        Assert.False(early.IsGranted);
        Assert.True(early.RetryAfter <= refused.RetryAfter);

        await Task.Delay(early.RetryAfter + TimeSpan.FromMilliseconds(20));
        Assert.True((await limiter.TryAcquireAsync()).IsGranted, "after waiting RetryAfter the request must be granted");

        // The sync path uses the same function.
        // The sync path uses the same function: 3 permits cannot fit while the grant above is in the window.
        var sync = limiter.TryAcquire(3);
        Assert.False(sync.IsGranted);
        Assert.True(sync.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public async Task Token_bucket_RetryAfter_is_exact()
    {
        var ds = db.NewDataSource();
        var schema = await db.NewSchemaAsync(ds, "tbretry");
        using var limiter = new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions
        {
            Name = "t",
            Schema = schema,
            Limit = new TokenBucketLimiterOptions { TokenLimit = 2, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromMilliseconds(500) },
        });
        Assert.True((await limiter.TryAcquireAsync(2)).IsGranted);
        var refused = await limiter.TryAcquireAsync();
        Assert.False(refused.IsGranted);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(500));
        await Task.Delay(refused.RetryAfter + TimeSpan.FromMilliseconds(20));
        Assert.True((await limiter.TryAcquireAsync()).IsGranted);
    }

    [Fact]
    public async Task AcquireAsync_waits_for_the_shared_budget()
    {
        var ds = db.NewDataSource();
        var schema = await db.NewSchemaAsync(ds, "acq");
        using var limiter = new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions
        {
            Name = "a",
            Schema = schema,
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 2, Window = TimeSpan.FromMilliseconds(400), QueueLimit = 10 },
        });
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => limiter.AcquireAsync().AsTask()));
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.All(results, r => Assert.True(r.IsGranted));
        // 6 permits at 2 per 400 ms: the last pair waits two windows.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(750), $"took only {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");

        // QueueLimit 0: no waiting, QueueFull with the server's exact RetryAfter.
        using var noQueue = new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions
        {
            Name = "q",
            Schema = schema,
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(2), QueueLimit = 0 },
        });
        Assert.True((await noQueue.AcquireAsync()).IsGranted);
        var full = await noQueue.AcquireAsync();
        Assert.Equal(RateLimitOutcome.QueueFull, full.Outcome);
        Assert.InRange(full.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Idle_keys_expire_and_are_cleaned_up_by_other_calls()
    {
        var ds = db.NewDataSource();
        var schema = await db.NewSchemaAsync(ds, "idle");
        using var limiter = new PostgreSqlKeyedRateLimiter(ds, new PostgreSqlRateLimiterOptions
        {
            Name = "k",
            Schema = schema,
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 5, Window = TimeSpan.FromMilliseconds(700) },
        });
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await limiter.TryAcquireAsync("chat-" + i)).IsGranted);
        }

        Assert.Equal(10, limiter.TrackedKeyCount);
        await Task.Delay(900);
        Assert.Equal(0, limiter.TrackedKeyCount);
        Assert.True((await limiter.TryAcquireAsync("other")).IsGranted);
        await using var rows = ds.CreateCommand($"SELECT count(*) FROM \"{schema}\".sliding_log WHERE key LIKE 'chat-%'");
        Assert.Equal(0L, await rows.ExecuteScalarAsync());

        using var bucket = new PostgreSqlKeyedRateLimiter(ds, new PostgreSqlRateLimiterOptions
        {
            Name = "b",
            Schema = schema,
            Limit = new TokenBucketLimiterOptions { TokenLimit = 2, TokensPerPeriod = 2, ReplenishmentPeriod = TimeSpan.FromMilliseconds(700) },
        });
        for (var i = 0; i < 10; i++)
        {
            // Both tokens: the bucket is full again 700 ms later.
            Assert.True((await bucket.TryAcquireAsync("chat-" + i, 2)).IsGranted);
        }

        Assert.Equal(10, bucket.TrackedKeyCount);
        await Task.Delay(900);
        Assert.Equal(0, bucket.TrackedKeyCount);
        Assert.True((await bucket.TryAcquireAsync("other")).IsGranted);
        await using var bucketRows = ds.CreateCommand($"SELECT count(*) FROM \"{schema}\".token_bucket WHERE key LIKE 'chat-%'");
        Assert.Equal(0L, await bucketRows.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Options_and_permits_are_validated()
    {
        var ds = db.NewDataSource();
        var limit = new SlidingWindowLimiterOptions { PermitLimit = 5, Window = TimeSpan.FromSeconds(1) };
        Assert.Throws<ArgumentException>(() => new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions()));
        Assert.Throws<ArgumentException>(() => new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions { Limit = limit, Name = "" }));
        Assert.Throws<ArgumentException>(() => new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions { Limit = limit, Schema = "Bad-Name" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions { Limit = limit, ReplicaCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions { Limit = limit, RecheckInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions { Limit = limit, UnavailableRetryAfter = TimeSpan.Zero }));
        Assert.ThrowsAny<ArgumentException>(() => new PostgreSqlRateLimiter(ds, new PostgreSqlRateLimiterOptions { Limit = new SlidingWindowLimiterOptions { PermitLimit = 0, Window = TimeSpan.FromSeconds(1) } }));

        using var limiter = new PostgreSqlKeyedRateLimiter(ds, new PostgreSqlRateLimiterOptions { Limit = limit });
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquire("k", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquire("k", 6));
        Assert.Throws<ArgumentNullException>(() => limiter.TryAcquire(null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => limiter.TryAcquireAsync("k", -1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => limiter.AcquireAsync("k", 6).AsTask());
    }

    [Fact]
    public async Task Unreachable_database_with_FallBackToLocal_grants_one_replica_share_and_reports_it()
    {
        var closed = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1;Username=postgres");
        using var limiter = new PostgreSqlRateLimiter(closed, new PostgreSqlRateLimiterOptions
        {
            Name = "outage",
            ReplicaCount = 3,
            UnavailablePolicy = PostgreSqlUnavailablePolicy.FallBackToLocal,
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(10) },
        });
        var events = new List<AvailabilityChangedEventArgs>();
        limiter.AvailabilityChanged += (_, e) => events.Add(e);
        var granted = 0;
        for (var i = 0; i < 30; i++)
        {
            if ((await limiter.TryAcquireAsync()).IsGranted)
            {
                granted++;
            }
        }

        Assert.Equal(10, granted);
        Assert.False(limiter.IsDatabaseAvailable);
        var lost = Assert.Single(events);
        Assert.False(lost.IsAvailable);
        Assert.NotNull(lost.Error);
        Assert.Equal("limiter:outage", lost.Component);
    }

    [Fact]
    public async Task Unreachable_database_with_FailClosed_refuses()
    {
        var closed = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1;Username=postgres");
        using var limiter = new PostgreSqlRateLimiter(closed, new PostgreSqlRateLimiterOptions
        {
            UnavailablePolicy = PostgreSqlUnavailablePolicy.FailClosed,
            UnavailableRetryAfter = TimeSpan.FromMilliseconds(700),
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(1) },
        });
        var first = await limiter.TryAcquireAsync();
        Assert.Equal(RateLimitOutcome.Throttled, first.Outcome);
        Assert.Equal(TimeSpan.FromMilliseconds(700), first.RetryAfter);
        Assert.False(limiter.TryAcquire().IsGranted);
        Assert.False(limiter.IsDatabaseAvailable);
    }

    /// <summary>Three pools, each with 4 callers, hammer one limiter for ~3 s; returns the server grant timestamps.</summary>
    private async Task<List<long>> HammerAsync(string schema, NpgsqlDataSource first, RateLimitOptions limit)
    {
        var pools = new[] { first, db.NewDataSource(), db.NewDataSource() };
        var limiters = pools.Select(p => new PostgreSqlRateLimiter(p, new PostgreSqlRateLimiterOptions { Name = "telegram-global", Schema = schema, Limit = limit })).ToArray();
        var grants = new List<long>();
        var stop = Stopwatch.StartNew();
        var callers = limiters.SelectMany(l => Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (stop.Elapsed < TimeSpan.FromSeconds(3))
            {
                var (decision, server) = await l.AcquireOnceAsync(1, CancellationToken.None);
                Assert.NotEqual(0, server);
                if (decision.IsGranted)
                {
                    mine.Add(server);
                }
                else
                {
                    await Task.Delay(TimeSpan.FromTicks(Math.Min(decision.RetryAfter.Ticks, TimeSpan.FromMilliseconds(20).Ticks)));
                }
            }

            lock (grants)
            {
                grants.AddRange(mine);
            }
        }))).ToArray();
        await Task.WhenAll(callers);
        foreach (var l in limiters)
        {
            l.Dispose();
        }

        return grants;
    }

    /// <summary>The largest number of grants in any half-open interval [t, t + length) (two-pointer scan).</summary>
    private static int MaxInInterval(List<long> grants, long length)
    {
        grants.Sort();
        var max = 0;
        var start = 0;
        for (var end = 0; end < grants.Count; end++)
        {
            while (grants[end] - grants[start] >= length)
            {
                start++;
            }

            max = Math.Max(max, end - start + 1);
        }

        return max;
    }
}
