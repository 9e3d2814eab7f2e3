using BotResilience.CircuitBreaking;
using BotResilience.SampleBot.Features;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Simulation;

namespace BotResilience.SampleBot.Tests;

/// <summary>/channels through the library MTProtoInvoker: live data, kill switch, FLOOD_WAIT_X fallback.</summary>
public sealed class ChannelsServiceTests
{
    [Fact]
    public async Task Kill_switch_and_long_flood_wait_serve_cached_data_without_calling_MTProto()
    {
        var mtproto = new SimulatedMTProtoService(new SimulationSettings(0.1, TimeProvider.System), floodRate: 0);
        var metrics = new SampleMetrics();
        using var channels = new ChannelsService(mtproto, TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(2), metrics, TimeProvider.System);

        var live = await channels.GetChannelsAsync(42, CancellationToken.None);
        Assert.Equal(ChannelsSource.Live, live.Source);
        Assert.Contains(live.Channels, c => c.Title == "Channel of 42");
        Assert.Equal(1, mtproto.Calls);

        // Admin kill switch: the session is isolated, the cached (last live) data is served, MTProto is not called.
        channels.SetEnabled(false);
        Assert.Equal(CircuitState.Isolated, channels.BreakerState);
        Assert.Equal(CircuitState.Isolated, channels.Invoker.GetCircuitState(ChannelsService.Session));
        var killed = await channels.GetChannelsAsync(42, CancellationToken.None);
        Assert.Equal(ChannelsSource.Cache, killed.Source);
        Assert.Equal("MTProto switched off by admin", killed.Reason);
        Assert.Equal(live.Channels, killed.Channels);
        Assert.Equal(1, mtproto.Calls);

        channels.SetEnabled(true);
        Assert.Equal(CircuitState.Closed, channels.BreakerState);

        // FLOOD_WAIT_100 (scaled: X = 10 s) is above the 2 s interactive budget: the invoker pauses the session and fails
        // fast to the cache; while paused no call reaches MTProto.
        mtproto.FloodRate = 1;
        mtproto.FloodSeconds = 100;
        var flooded = await channels.GetChannelsAsync(42, CancellationToken.None);
        Assert.Equal(ChannelsSource.Cache, flooded.Source);
        Assert.StartsWith("Telegram asked us to wait", flooded.Reason, StringComparison.Ordinal);
        Assert.Equal(2, mtproto.Calls);
        Assert.Equal(1, Interlocked.Read(ref metrics.MTProtoFloodWaits)); // FloodWaitObserved
        Assert.True(channels.RemainingFloodWait > TimeSpan.FromSeconds(5), $"remaining {channels.RemainingFloodWait}");

        var again = await channels.GetChannelsAsync(42, CancellationToken.None);
        Assert.Equal(ChannelsSource.Cache, again.Source);
        Assert.Equal(2, mtproto.Calls);
        Assert.Equal(0, mtproto.CallsDuringFlood);
        Assert.Equal(4, Interlocked.Read(ref metrics.ChannelsRequests));
        Assert.Equal(3, Interlocked.Read(ref metrics.ChannelsFallbacks));
        Assert.Equal(CircuitState.Closed, channels.BreakerState); // flood waits are instructions, not failures (library default)
    }
}
