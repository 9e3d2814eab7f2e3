using BenchmarkDotNet.Attributes;
using BotResilience.PostgreSql.RateLimiting;
using BotResilience.PostgreSql.Schema;
using BotResilience.RateLimiting;
using Npgsql;

namespace BotResilience.Benchmarks.PostgreSql;

/// <summary>
/// Acquisition latency / throughput of the distributed limiters against a local PostgreSQL (one round trip per
/// acquisition), next to the in-memory core <see cref="SlidingWindowLimiter"/>, with 1, 4 and 16 concurrent callers
/// on ONE key (the worst case: the server serialises the key). Reported per acquisition.
/// </summary>
/// <remarks>
/// SlidingWindow30PerSecond is the Telegram shape (30/s; almost every call is refused with an exact RetryAfter);
/// TokenBucketGranted always grants (a write per call). The in-memory baseline uses the same 30/s window.
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory("PostgreSql")]
public class PostgreSqlLimiterBenchmarks
{
    private const int OperationsPerInvoke = 64;

    private PostgreSqlCluster _cluster = null!;
    private NpgsqlDataSource _dataSource = null!;
    private PostgreSqlRateLimiter _pgWindow = null!;
    private PostgreSqlRateLimiter _pgBucket = null!;
    private SlidingWindowLimiter _memoryWindow = null!;

    [Params(1, 4, 16)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = PostgreSqlCluster.Start();
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_cluster.ConnectionString) { MaxPoolSize = 32 }.ConnectionString);
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
        PostgreSqlSchema.MigrateAsync(_dataSource, schema).GetAwaiter().GetResult();
        _pgWindow = new PostgreSqlRateLimiter(_dataSource, new PostgreSqlRateLimiterOptions
        {
            Name = "window",
            Schema = schema,
            Limit = new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 },
        });
        _pgBucket = new PostgreSqlRateLimiter(_dataSource, new PostgreSqlRateLimiterOptions
        {
            Name = "bucket",
            Schema = schema,
            Limit = new TokenBucketLimiterOptions { TokenLimit = 1_000_000, TokensPerPeriod = 1_000_000, ReplenishmentPeriod = TimeSpan.FromMilliseconds(1), QueueLimit = 0 },
        });
        _memoryWindow = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pgWindow.Dispose();
        _pgBucket.Dispose();
        _memoryWindow.Dispose();
        _dataSource.Dispose();
        NpgsqlConnection.ClearAllPools();
        _cluster.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke)]
    public Task InMemorySlidingWindow30PerSecond() => RunAsync(_memoryWindow);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public Task PostgreSqlSlidingWindow30PerSecond() => RunAsync(_pgWindow);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public Task PostgreSqlTokenBucketGranted() => RunAsync(_pgBucket);

    private Task RunAsync(IRateLimiter limiter)
    {
        var callers = Callers;
        var perCaller = OperationsPerInvoke / callers;
        var tasks = new Task[callers];
        for (var i = 0; i < callers; i++)
        {
            tasks[i] = Task.Run(async () =>
            {
                for (var n = 0; n < perCaller; n++)
                {
                    await limiter.TryAcquireAsync().ConfigureAwait(false);
                }
            });
        }

        return Task.WhenAll(tasks);
    }
}
