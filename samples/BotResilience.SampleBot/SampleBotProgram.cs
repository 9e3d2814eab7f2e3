using BotResilience.SampleBot.Configuration;
using BotResilience.SampleBot.Demo;
using BotResilience.SampleBot.Hosting;
using BotResilience.SampleBot.Observability;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot;

/// <summary>Command-line entry: demo mode without a token, real Telegram with BOT_TOKEN.</summary>
public static class SampleBotProgram
{
    /// <summary>Runs the program; returns the exit code (0 clean, 1 a service-level check failed, 2 bad configuration).</summary>
    /// <param name="args">Command line.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        SampleBotOptions options;
        try
        {
            options = SampleBotConfiguration.Load(SampleBotConfiguration.Build(args));
        }
        catch (OptionsValidationFailedException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        return options.Mode == BotMode.Demo ? await RunDemoAsync(options, cts.Token) : await RunRealAsync(options, cts.Token);
    }

    private static async Task<int> RunDemoAsync(SampleBotOptions options, CancellationToken ct)
    {
        bool postgres = !string.IsNullOrWhiteSpace(options.PostgresConnectionString);
        bool temporaryDb = !postgres && options.DatabasePath!.EndsWith(Path.Combine("botresilience-sample", "demo.db"), StringComparison.Ordinal);
        if (temporaryDb)
        {
            options.DatabasePath = Path.Combine(Path.GetDirectoryName(options.DatabasePath)!, $"demo-{Environment.ProcessId}.db");
        }

        ConsoleView? view = options.Console == "none" ? null : new ConsoleView(options.Console);
        Console.WriteLine($"Demo mode: {options.Users} simulated users for {options.DurationSeconds} s against the in-process Bot API emulator (database {(postgres ? "PostgreSQL" : options.DatabasePath)}).");
        using ILoggerFactory loggers = LoggerFactory.Create(b =>
        {
            if (view is not { IsLive: true })
            {
                b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            }
        });
        try
        {
            DemoSummary summary = await DemoRunner.RunAsync(options, new DemoRunOptions
            {
                Duration = TimeSpan.FromSeconds(options.DurationSeconds is > 0 ? options.DurationSeconds.Value : 60),
                View = view,
                Hooks = new SampleBotHooks { LoggerFactory = loggers },
            }, ct);
            Console.WriteLine();
            Console.WriteLine(summary.ToText());
            return summary.Clean ? 0 : 1;
        }
        finally
        {
            if (temporaryDb)
            {
                foreach (string f in new[] { "", "-wal", "-shm" })
                {
                    try
                    {
                        File.Delete(options.DatabasePath + f);
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        }
    }

    private static async Task<int> RunRealAsync(SampleBotOptions options, CancellationToken ct)
    {
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        ILogger log = loggers.CreateLogger("SampleBot");
        var connection = new BotConnection(options.ApiBaseUrl, options.BotToken!, options.Mode!.Value, options.PublicUrl);
        await using SampleBotApp app = await SampleBotApp.StartAsync(options, connection, new SampleBotHooks { LoggerFactory = loggers }, ct);
        log.LogInformation("Bot running in {Mode} mode; health and metrics on {Address}", options.Mode, app.BaseAddress);
        try
        {
            await Task.Delay(options.DurationSeconds is > 0 ? TimeSpan.FromSeconds(options.DurationSeconds.Value) : Timeout.InfiniteTimeSpan, ct);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync();
        log.LogInformation("Stopped: {Updates} updates, {Replies} messages sent, {App429} 429s reached the app", app.Metrics.UpdatesReceived, app.Metrics.RepliesSent, app.Metrics.TooManyRequestsReachedApp);
        return 0;
    }
}
