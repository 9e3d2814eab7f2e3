using BotResilience.SampleBot.Configuration;

namespace BotResilience.SampleBot.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end (sequential: they measure latency on a 2-core machine)";
}

internal static class TestHost
{
    public static string TempDb() => Path.Combine(Path.GetTempPath(), "botresilience-sample-tests", Guid.NewGuid().ToString("N") + ".db");

    public static SampleBotOptions DemoOptions(string db, int users = 200, double delayScale = 0.2)
    {
        var o = new SampleBotOptions { DatabasePath = db, Users = users, DelayScale = delayScale, Console = "none" };
        SampleBotConfiguration.Normalize(o);
        Assert.Empty(SampleBotOptionsValidator.Validate(o));
        return o;
    }

    public static void DeleteDb(string db)
    {
        foreach (string suffix in new[] { "", "-wal", "-shm" })
        {
            try
            {
                File.Delete(db + suffix);
            }
            catch (IOException)
            {
            }
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(50);
        }
    }
}
