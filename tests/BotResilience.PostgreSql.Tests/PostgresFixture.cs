using System.Diagnostics;
using BotResilience.PostgreSql.Schema;
using Npgsql;

namespace BotResilience.PostgreSql.Tests;

/// <summary>
/// A real PostgreSQL server for the whole test run: <c>BOTRESILIENCE_POSTGRES</c> when set (CI), otherwise a
/// throwaway cluster started with <c>scripts/postgres.sh</c> and removed afterwards. If neither works, every test
/// FAILS with the reason (no silent skip).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "BOTRESILIENCE_POSTGRES";
    private static int s_schemaCounter;
    private string? _clusterDir;
    private string? _repoRoot;
    private readonly List<NpgsqlDataSource> _dataSources = [];

    public string ConnectionString { get; private set; } = "";

    public string? StartError { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                ConnectionString = fromEnv.Trim();
            }
            else
            {
                _repoRoot = FindRepoRoot();
                _clusterDir = Path.Combine(Path.GetTempPath(), "botresilience-pg-tests-" + Guid.NewGuid().ToString("N")[..12]);
                var (code, stdout, stderr) = await RunScriptAsync(_repoRoot, "start", _clusterDir);
                if (code != 0)
                {
                    throw new InvalidOperationException($"scripts/postgres.sh start exited with {code}: {stderr} {stdout}");
                }

                ConnectionString = stdout.Trim().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
            }

            await using var probe = NpgsqlDataSource.Create(ConnectionString);
            await using var command = probe.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync();
        }
        catch (Exception ex)
        {
            StartError = "NO POSTGRESQL SERVER: set " + EnvironmentVariable + " to an Npgsql connection string, or install the " +
                "PostgreSQL server binaries (scripts/ensure-postgres.sh) so that scripts/postgres.sh can start a throwaway cluster. " +
                "Cause: " + ex;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        if (_clusterDir is not null && _repoRoot is not null)
        {
            await RunScriptAsync(_repoRoot, "stop", _clusterDir);
        }
    }

    /// <summary>Throws (fails the test) loudly when no server is available.</summary>
    public void EnsureServer()
    {
        if (StartError is not null)
        {
            throw new InvalidOperationException(StartError);
        }
    }

    /// <summary>A new pool (a "replica"); disposed with the fixture.</summary>
    public NpgsqlDataSource NewDataSource(int maxPoolSize = 20)
    {
        EnsureServer();
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = maxPoolSize };
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        lock (_dataSources)
        {
            _dataSources.Add(dataSource);
        }

        return dataSource;
    }

    /// <summary>A fresh, migrated schema for one test.</summary>
    public async Task<string> NewSchemaAsync(NpgsqlDataSource dataSource, string prefix)
    {
        var schema = $"{prefix}_{Interlocked.Increment(ref s_schemaCounter)}_{Guid.NewGuid().ToString("N")[..8]}";
        await PostgreSqlSchema.MigrateAsync(dataSource, schema);
        return schema;
    }

    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BotResilience.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("BotResilience.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunScriptAsync(string repoRoot, string verb, string dir)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(repoRoot, "scripts", "postgres.sh"));
        info.ArgumentList.Add(verb);
        info.ArgumentList.Add(dir);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
