using BotResilience.SampleBot.Configuration;
using BotResilience.SampleBot.Demo;

namespace BotResilience.SampleBot.Tests;

[Collection(EndToEndCollection.Name)]
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Readme_example_runs_a_small_demo_in_process()
    {
        string db = TestHost.TempDb();
        try
        {
            // --- README example (README.md) ---
            var options = new SampleBotOptions { Users = 50, DelayScale = 0.1, Console = "none", DatabasePath = db };
            SampleBotConfiguration.Normalize(options);
            DemoSummary summary = await DemoRunner.RunAsync(options, new DemoRunOptions { Duration = TimeSpan.FromSeconds(4), ThinkTime = (2, 6) }, CancellationToken.None);
            Console.WriteLine(summary.ToText());
            // --- end of example ---

            Assert.True(summary.Commands > 0, summary.ToText());
            Assert.Equal(0, summary.TooManyRequestsReachedApp);
        }
        finally
        {
            TestHost.DeleteDb(db);
        }
    }
}
