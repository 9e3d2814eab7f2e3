using BotResilience.SampleBot.Configuration;
using BotResilience.SampleBot.Demo;
using BotResilience.SampleBot.Hosting;
using BotResilience.SampleBot.Storage;

namespace BotResilience.SampleBot.Tests;

[Collection(EndToEndCollection.Name)]
public sealed class OrderCrashRestartTests
{
    private const int Orders = 40;

    [Fact]
    public async Task No_order_is_lost_or_run_twice_across_a_crash_and_restart()
    {
        string db = TestHost.TempDb();
        try
        {
            await RunCrashRestartAsync(o => o.DatabasePath = db);
        }
        finally
        {
            TestHost.DeleteDb(db);
        }
    }

    [Fact]
    public async Task No_order_is_lost_or_run_twice_across_a_crash_and_restart_on_PostgreSQL()
    {
        string connectionString = await PostgreSqlTestCluster.CreateDatabaseAsync();
        await RunCrashRestartAsync(o =>
        {
            o.DatabasePath = null;
            o.PostgresConnectionString = connectionString;
        });
        await using var store = new PostgreSqlBotStore(connectionString);
        Assert.Equal(Orders, (await store.GetOrderCountsAsync(default)).Total); // the orders really were in PostgreSQL
    }

    private static async Task RunCrashRestartAsync(Action<SampleBotOptions> storage)
    {
        string db = TestHost.TempDb();
        try
        {
            await using IChatPlatform platform = await EmulatorPlatform.StartAsync(CancellationToken.None);
            var connection = new BotConnection(platform.ApiBaseUrl, platform.Token, BotMode.Webhook, null);
            SampleBotOptions Options()
            {
                SampleBotOptions o = TestHost.DemoOptions(db, delayScale: 0.3); // labels take 0.6-1.5 s
                storage(o);
                o.OrderLease = TimeSpan.FromSeconds(2);                       // a dead owner's job is re-claimed after 2 s
                o.OrderWorkers = 4;
                o.LabelFailureRate = 0.3;                                     // some attempts fail and back off
                return o;
            }

            SampleBotApp first = await SampleBotApp.StartAsync(Options(), connection);
            for (int i = 0; i < Orders; i++)
            {
                platform.SendText(500 + i, "/order box " + i);
            }

            // crash while jobs are running: leases are abandoned, nothing is released
            await TestHost.WaitUntilAsync(async () => (await first.Store.GetOrderCountsAsync(default)) is { Total: Orders, Running: > 0, Done: > 0 }, TimeSpan.FromSeconds(20), "orders created, some running, some done");
            OrderCounts atCrash = await first.Store.GetOrderCountsAsync(default);
            await first.StopAsync(simulateCrash: true);

            // restart on the same database: pending jobs resume, orphaned running jobs are re-claimed after the lease
            SampleBotApp second = await SampleBotApp.StartAsync(Options(), connection);
            try
            {
                await TestHost.WaitUntilAsync(async () => (await second.Store.GetOrderCountsAsync(default)) is { Pending: 0, Running: 0 }, TimeSpan.FromSeconds(40), "all orders finished after restart");
                IReadOnlyList<OrderRecord> orders = await second.Store.GetOrdersAsync(null, default);
                IReadOnlyList<OrderAttempt> attempts = await second.Store.GetOrderAttemptsAsync(default);

                Assert.True(atCrash.Running > 0);
                Assert.Equal(Orders, orders.Count);                                 // one order per update, none lost
                Assert.Equal(Orders, orders.Select(o => o.UpdateId).Distinct().Count());
                Assert.All(orders, o => Assert.True(o.Status is OrderStatus.Done or OrderStatus.Failed, $"order {o.Id} is {o.Status}"));
                Assert.All(orders, o => Assert.InRange(o.Attempts, 1, 3));
                foreach (IGrouping<long, OrderAttempt> perOrder in attempts.GroupBy(a => a.OrderId))
                {
                    var list = perOrder.OrderBy(a => a.Attempt).ToList();
                    // ended done/failed exactly once
                    Assert.Equal(1, list.Count(a => a.Outcome is "done" or "failed"));
                    Assert.Equal(list.Last().Outcome, orders.Single(o => o.Id == perOrder.Key).Status == OrderStatus.Done ? "done" : "failed");
                    // never two attempts at once: each attempt starts after the previous one ended (or its lease expired)
                    for (int i = 1; i < list.Count; i++)
                    {
                        DateTimeOffset previousEnd = list[i - 1].FinishedAt ?? list[i - 1].StartedAt + TimeSpan.FromSeconds(2);
                        Assert.True(list[i].StartedAt >= previousEnd, $"order {perOrder.Key}: attempt {list[i].Attempt} started before attempt {list[i - 1].Attempt} ended");
                    }
                }

                // the jobs abandoned by the crash were finished by the second instance
                var abandoned = attempts.Where(a => a.Outcome is null).ToList();
                Assert.NotEmpty(abandoned);
                Assert.All(abandoned, a => Assert.NotEqual(second.Orders.Owner, a.Owner));

                // every user heard the outcome of their order
                await TestHost.WaitUntilAsync(async () => (await second.Store.GetUnnotifiedFinishedOrdersAsync(100, default)).Count == 0, TimeSpan.FromSeconds(20), "all outcomes notified");
            }
            finally
            {
                await second.StopAsync();
            }
        }
        finally
        {
            TestHost.DeleteDb(db);
        }
    }
}
