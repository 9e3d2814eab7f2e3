using BotResilience.Monitoring;

/// <summary>
/// .NET startup hook used by <c>WatchdogTerminateProcessTests</c>: the test runs this test assembly as a child process
/// (<c>dotnet exec BotResilience.Tests.dll</c>, whose generated Main is empty) with <c>DOTNET_STARTUP_HOOKS</c> pointing
/// here and <c>BOTRESILIENCE_WATCHDOG_CHILD=1</c>. Without that variable it does nothing. It must be a type named
/// <c>StartupHook</c> outside any namespace.
/// </summary>
#pragma warning disable CA1050 // The runtime looks the startup hook up as a global type named StartupHook.
internal static class StartupHook
#pragma warning restore CA1050
{
    public const string Variable = "BOTRESILIENCE_WATCHDOG_CHILD";
    public const int ExitCode = 42;

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            return;
        }

        // Real clock, real Environment.Exit: beat for a while (the watchdog must not fire), then go silent.
        var watchdog = new Watchdog(new WatchdogOptions
        {
            GracePeriod = TimeSpan.Zero,
            CheckInterval = TimeSpan.FromMilliseconds(50),
            Action = WatchdogAction.TerminateProcess,
            ExitCode = ExitCode,
        });
        var webhook = watchdog.Register("webhook", TimeSpan.FromMilliseconds(500));
        watchdog.Start();
        for (var i = 0; i < 40; i++)
        {
            webhook.Beat();
            Thread.Sleep(25);
        }

        Console.WriteLine("child: beats stopped");
        Console.Out.Flush();
        Thread.Sleep(TimeSpan.FromSeconds(20));
        Console.WriteLine("child: still alive");
        Environment.Exit(3);
    }
}
