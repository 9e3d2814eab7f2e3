using System.Diagnostics;

namespace BotResilience.Benchmarks.PostgreSql;

/// <summary>
/// The benchmarks' PostgreSQL server: <c>BOTRESILIENCE_POSTGRES</c> when set (CI), otherwise a throwaway cluster
/// started with <c>scripts/postgres.sh start</c> and removed by <see cref="Dispose"/>.
/// </summary>
internal sealed class PostgreSqlCluster : IDisposable
{
    private readonly string? _repoRoot;
    private readonly string? _dir;

    private PostgreSqlCluster(string connectionString, string? repoRoot, string? dir)
    {
        ConnectionString = connectionString;
        _repoRoot = repoRoot;
        _dir = dir;
    }

    public string ConnectionString { get; }

    public static PostgreSqlCluster Start()
    {
        var fromEnv = Environment.GetEnvironmentVariable("BOTRESILIENCE_POSTGRES");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return new PostgreSqlCluster(fromEnv.Trim(), null, null);
        }

        var root = FindRepoRoot();
        var dir = Path.Combine(Path.GetTempPath(), "botresilience-pg-bench-" + Guid.NewGuid().ToString("N")[..12]);
        var (code, stdout, stderr) = Run(root, "start", dir);
        if (code != 0)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL for the benchmarks: set BOTRESILIENCE_POSTGRES or install the server (scripts/ensure-postgres.sh). scripts/postgres.sh start exited with {code}: {stderr}{stdout}");
        }

        return new PostgreSqlCluster(stdout.Trim().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(), root, dir);
    }

    public void Dispose()
    {
        if (_repoRoot is not null && _dir is not null)
        {
            Run(_repoRoot, "stop", _dir);
        }
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "BotResilience.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("BotResilience.sln not found above " + AppContext.BaseDirectory);
    }

    private static (int Code, string Stdout, string Stderr) Run(string root, string verb, string dir)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(root, "scripts", "postgres.sh"));
        info.ArgumentList.Add(verb);
        info.ArgumentList.Add(dir);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("scripts/postgres.sh " + verb + " did not finish in 90 s");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
