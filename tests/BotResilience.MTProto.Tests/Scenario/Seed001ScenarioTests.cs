using System.Diagnostics;
using BotResilience.CircuitBreaking;
using BotResilience.MTProto.Tests.Fakes;
using BotResilience.Testing;

namespace BotResilience.MTProto.Tests.Scenario;

/// <summary>
/// Seed 001 ("MTProto backend freeze"): a burst of channel fetches hits Telegram's limits, the connection then dies;
/// the backend must stay responsive, nothing may hang, no exception may go unobserved, and data must come from the
/// cache while the circuit is open.
/// </summary>
public sealed class Seed001ScenarioTests
{
    [Fact]
    public async Task A_burst_of_300_channel_fetches_through_floods_and_an_outage_keeps_the_host_responsive()
    {
        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => Interlocked.Increment(ref unobserved);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var time = new ManualTimeProvider();
            var server = new FakeMTProtoServer(time, limit: 8, floodSeconds: 3);
            using var invoker = new MTProtoInvoker(new MTProtoInvokerOptions(), time); // seed 001 defaults
            var floodWaits = 0;
            invoker.FloodWaitObserved += (_, e) => Interlocked.Increment(ref floodWaits);

            // Health probe: trivial thread-pool work must keep answering fast (the seed's backend froze entirely).
            using var stopProbe = new CancellationTokenSource();
            long maxProbeMs = 0, probes = 0;
            var probe = Task.Run(async () =>
            {
                while (!stopProbe.IsCancellationRequested)
                {
                    var sw = Stopwatch.StartNew();
                    await Task.Run(() => Environment.ProcessorCount);
                    var ms = sw.ElapsedMilliseconds;
                    if (ms > Interlocked.Read(ref maxProbeMs))
                    {
                        Interlocked.Exchange(ref maxProbeMs, ms);
                    }

                    Interlocked.Increment(ref probes);
                    await Task.Delay(2);
                }
            });

            Task<string> Fetch(int channel) => invoker.InvokeAsync(
                "main",
                _ => server.GetHistoryAsync(channel),
                fallback: _ => Task.FromResult("cached:" + channel),
                method: "messages.getHistory");

            // Phase 1: 300 fetches at once; Telegram allows 8/s and flood-waits 3 s beyond that.
            var fetches = Enumerable.Range(0, 300).Select(Fetch).ToArray();
            await time.AdvanceAsync(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(500));
            var servedBeforeOutage = server.Served;
            Assert.InRange(servedBeforeOutage, 30, 150);
            Assert.True(server.FloodWaitsSent > 0);
            Assert.Equal(server.FloodWaitsSent, floodWaits);
            Assert.All(fetches.Where(f => f.IsCompleted), f => Assert.StartsWith("fresh:", f.Result, StringComparison.Ordinal));

            // Phase 2: the connection dies; calls hang. Timeouts open the circuit and everything left falls back to the cache.
            server.Outage = true;
            await time.AdvanceUntilAsync(() => fetches.All(f => f.IsCompleted), TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5));
            Assert.Equal(CircuitState.Open, invoker.GetCircuitState("main"));
            var results = await Task.WhenAll(fetches);
            var fresh = results.Count(r => r.StartsWith("fresh:", StringComparison.Ordinal));
            var cached = results.Count(r => r.StartsWith("cached:", StringComparison.Ordinal));
            Assert.Equal(300, fresh + cached);
            Assert.Equal(servedBeforeOutage, fresh);
            Assert.True(cached >= 100, $"cached {cached}");
            Assert.Equal(
                Enumerable.Range(0, 300).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                results.Select(r => r[(r.IndexOf(':', StringComparison.Ordinal) + 1)..]));

            // While open: served from the cache at once, Telegram is not called.
            var callsWhileOpen = server.Calls;
            Assert.Equal("cached:7", await Fetch(7));
            Assert.Equal(callsWhileOpen, server.Calls);

            // Phase 3: the connection is back; after the 300 s break a probe closes the circuit.
            server.Outage = false;
            await time.AdvanceAsync(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10));
            Assert.Equal("fresh:7", await Fetch(7));
            Assert.Equal(CircuitState.Closed, invoker.GetCircuitState("main"));

            // Flood waits were honoured: nobody called Telegram while it had the session banned.
            Assert.Equal(0, server.CallsWhileBanned);
            Assert.True(server.HungCalls >= 5, $"hung {server.HungCalls}");

            await stopProbe.CancelAsync();
            await probe;
            Assert.True(Interlocked.Read(ref probes) > 10, $"probes {probes}");
            Assert.True(Interlocked.Read(ref maxProbeMs) < 1000, $"max probe latency {maxProbeMs} ms");
        }
        finally
        {
            // Every abandoned (timed-out) call failed later: none of those failures may be unobserved.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.Equal(0, Volatile.Read(ref unobserved));
    }
}
