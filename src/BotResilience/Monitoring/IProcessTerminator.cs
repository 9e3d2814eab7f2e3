namespace BotResilience.Monitoring;

/// <summary>Seam for <see cref="WatchdogAction.TerminateProcess"/> so the action is testable in-process.</summary>
internal interface IProcessTerminator
{
    void Terminate(int exitCode);
}

/// <summary>Terminates the process with <see cref="Environment.Exit(int)"/> (runs ProcessExit handlers, then exits).</summary>
internal sealed class EnvironmentProcessTerminator : IProcessTerminator
{
    public static readonly EnvironmentProcessTerminator Instance = new();

    public void Terminate(int exitCode) => Environment.Exit(exitCode);
}
