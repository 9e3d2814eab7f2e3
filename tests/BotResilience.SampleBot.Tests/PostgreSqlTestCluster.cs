using System.Diagnostics;
using Npgsql;

namespace BotResilience.SampleBot.Tests;

/// <summary>
/// A real PostgreSQL cluster for the sample's storage tests: <c>BOTRESILIENCE_POSTGRES</c> when set, else a throwaway
/// cluster started once per test run by <c>scripts/postgres.sh start</c> (127.0.0.1 only). Each test gets its own database.
/// </summary>
internal static class PostgreSqlTestCluster
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _server;

    public static async Task<string> CreateDatabaseAsync()
    {
        string server = await GetServerAsync();
        string name = "sample_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static async Task<string> GetServerAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_server is not null)
            {
                return _server;
            }

            string? fromEnv = Environment.GetEnvironmentVariable("BOTRESILIENCE_POSTGRES");
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                return _server = fromEnv;
            }

            string script = Path.Combine(RepositoryRoot(), "scripts", "postgres.sh");
            string dir = Path.Combine(Path.GetTempPath(), "botresilience-sample-pg");
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add("start");
            psi.ArgumentList.Add(dir);
            using Process p = Process.Start(psi)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            string output = (await stdout).Trim();
            Assert.True(p.ExitCode == 0, $"scripts/postgres.sh start failed ({p.ExitCode}): {await stderr}");
            return _server = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "scripts", "postgres.sh")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("scripts/postgres.sh not found above " + AppContext.BaseDirectory);
    }
}
