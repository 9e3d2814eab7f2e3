using BotResilience.SampleBot.Demo;

namespace BotResilience.SampleBot.Tests;

[Collection(EndToEndCollection.Name)]
public sealed class DemoEndToEndTests
{
    [Fact]
    public async Task Crowd_of_200_users_is_served_within_the_slo_while_slow_dependencies_run()
    {
        string db = TestHost.TempDb();
        try
        {
            var options = TestHost.DemoOptions(db, users: 200, delayScale: 0.2);
            DemoSummary s = await DemoRunner.RunAsync(options, new DemoRunOptions
            {
                Duration = TimeSpan.FromSeconds(15),
                Settle = TimeSpan.FromSeconds(20),   // waits only while replies or spam warnings are outstanding
                ThinkTime = (12, 30),
                SpammerShare = 0.03,
            }, CancellationToken.None);

            string report = s.ToText();
            Assert.True(s.Commands >= 80, report);                                    // the crowd really ran
            Assert.True(s.Commands == s.Acknowledged, "unanswered: " + string.Join("; ", s.Unanswered) + "\n" + report);
            Assert.True(s.P99Ms < 2_000, "acknowledgement p99 must stay under 2 s while the AI takes 0.6-2 s per call\n" + report);
            Assert.Equal(0, s.TooManyRequestsReachedApp);
            Assert.True(s.Facts.MaxAiConcurrency <= options.FactsConcurrency, report); // bulkhead of 3 held
            Assert.True(s.Facts.Delivered > 0, report);                                // slow dependency did run
            Assert.Equal(s.SpamBursts, s.SpamWarnings);                               // each burst answered once
            Assert.Equal(0, s.UnobservedExceptions);
            Assert.Equal(0, s.Handlers.Errors);
            Assert.True(s.Clean, report);
        }
        finally
        {
            TestHost.DeleteDb(db);
        }
    }
}
