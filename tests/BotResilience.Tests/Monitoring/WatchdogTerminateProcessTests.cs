using System.Diagnostics;

namespace BotResilience.Tests.Monitoring;

[Collection(MonitoringIntegrationCollection.Name)]
public sealed class WatchdogTerminateProcessTests
{
    [Fact]
    public async Task TerminateProcess_really_exits_a_child_process_with_the_exit_code_after_silence()
    {
        var assembly = typeof(StartupHook).Assembly.Location;
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(assembly);
        psi.Environment["DOTNET_STARTUP_HOOKS"] = assembly;
        psi.Environment[StartupHook.Variable] = "1";

        using var child = Process.Start(psi)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await child.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        Assert.True(child.ExitCode == StartupHook.ExitCode, $"exit code {child.ExitCode}; stdout: {output}; stderr: {await stderr}");
        Assert.Contains("child: beats stopped", output, StringComparison.Ordinal); // it did not fire while beating
        Assert.DoesNotContain("still alive", output, StringComparison.Ordinal);
    }
}
