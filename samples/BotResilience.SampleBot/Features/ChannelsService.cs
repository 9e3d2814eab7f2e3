using System.Collections.Concurrent;
using BotResilience.CircuitBreaking;
using BotResilience.MTProto;
using BotResilience.Retry;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Simulation;

namespace BotResilience.SampleBot.Features;

/// <summary>Where a /channels answer came from.</summary>
public enum ChannelsSource
{
    /// <summary>Fresh from MTProto.</summary>
    Live,

    /// <summary>Cached (degraded: flood wait, open circuit or kill switch).</summary>
    Cache,
}

/// <summary>
/// Seed 001: reads channels through the library's MTProto adapter (<see cref="MTProtoInvoker"/>): per session 10 calls/s
/// and 200 calls/min (exact sliding windows), a flood gate that honours FLOOD_WAIT_X for every caller of the session,
/// flood-wait-aware retries, a circuit breaker (5 failures → open for 300 s) and a fallback to the cached channel
/// data whenever the call cannot be made (open or isolated circuit, a wait longer than the interactive budget,
/// retries exhausted). The admin kill switch isolates the session (<see cref="MTProtoInvoker.Isolate"/>) until it
/// is switched back on (<see cref="MTProtoInvoker.Reset"/>).
/// </summary>
public sealed class ChannelsService : IDisposable
{
    /// <summary>The MTProto session (account) the sample uses.</summary>
    public const string Session = "main";

    private const string Method = "channels.getChannels";
    private readonly SimulatedMTProtoService _mtproto;
    private readonly SampleMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly FloodGate _gate;
    private readonly string _scope = "mtproto:" + Session;
    private readonly ConcurrentDictionary<long, IReadOnlyList<ChannelInfo>> _cache = new();
    private readonly TimeSpan _interactiveBudget;

    /// <summary>Creates the service.</summary>
    /// <param name="mtproto">MTProto client.</param>
    /// <param name="breakDuration">Breaker open time (seed: 300 s).</param>
    /// <param name="interactiveBudget">How long an interactive request may wait (flood wait, limiter, call) before falling back to the cache.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="time">Clock.</param>
    public ChannelsService(SimulatedMTProtoService mtproto, TimeSpan breakDuration, TimeSpan interactiveBudget, SampleMetrics metrics, TimeProvider time)
    {
        _mtproto = mtproto;
        _metrics = metrics;
        _time = time;
        _interactiveBudget = interactiveBudget;
        _gate = new FloodGate(time);

        // Limits stay the library defaults (10/s + 200/min per session); FailureThreshold 5 is the default too.
        var options = new MTProtoInvokerOptions
        {
            FloodGate = _gate,
            BreakDuration = breakDuration,
            FloodWaitThreshold = interactiveBudget, // a longer FLOOD_WAIT_X fails fast → cached data at once
        };
        Invoker = new MTProtoInvoker(options, time);
        Invoker.FloodWaitObserved += (_, e) => Interlocked.Increment(ref _metrics.MTProtoFloodWaits);
    }

    /// <summary>The library MTProto adapter every /channels call goes through.</summary>
    public MTProtoInvoker Invoker { get; }

    /// <summary>State of the session's circuit (Isolated while the kill switch is off).</summary>
    public CircuitState BreakerState => Invoker.GetCircuitState(Session);

    /// <summary>Whether the kill switch is on (MTProto isolated).</summary>
    public bool KilledByAdmin => BreakerState == CircuitState.Isolated;

    /// <summary>Remaining flood-wait pause of the session.</summary>
    public TimeSpan RemainingFloodWait => _gate.GetRemainingPause(_scope);

    /// <summary>Admin kill switch.</summary>
    /// <param name="enabled">false isolates MTProto.</param>
    public void SetEnabled(bool enabled)
    {
        if (enabled)
        {
            Invoker.Reset(Session);
        }
        else
        {
            Invoker.Isolate(Session);
        }
    }

    /// <summary>Gets a user's channels, live when possible, else from the cache.</summary>
    /// <param name="userId">User.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<(ChannelsSource Source, IReadOnlyList<ChannelInfo> Channels, string? Reason)> GetChannelsAsync(long userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _metrics.ChannelsRequests);
        using var budget = new CancellationTokenSource(_interactiveBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
        try
        {
            return await Invoker.InvokeAsync(
                Session,
                static async (s, ct) =>
                {
                    IReadOnlyList<ChannelInfo> channels = await s.service._mtproto.GetChannelsAsync(s.userId, ct);
                    s.service._cache[s.userId] = channels;
                    return (ChannelsSource.Live, channels, (string?)null);
                },
                (service: this, userId),
                Method,
                static (s, _) => Task.FromResult(s.service.Fallback(s.userId, s.service.DegradedReason())),
                linked.Token);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Fallback(userId, "MTProto busy");
        }
    }

    private string DegradedReason()
    {
        CircuitState state = BreakerState;
        if (state == CircuitState.Isolated)
        {
            return "MTProto switched off by admin";
        }

        if (state == CircuitState.Open)
        {
            return "MTProto circuit open";
        }

        TimeSpan paused = RemainingFloodWait;
        return paused > TimeSpan.Zero ? $"Telegram asked us to wait {Math.Ceiling(paused.TotalSeconds)} s" : "MTProto unavailable";
    }

    private (ChannelsSource, IReadOnlyList<ChannelInfo>, string?) Fallback(long userId, string reason)
    {
        Interlocked.Increment(ref _metrics.ChannelsFallbacks);
        IReadOnlyList<ChannelInfo> cached = _cache.TryGetValue(userId, out var c) ? c : [new ChannelInfo(-1002000000000, "BotResilience news", 12_345)];
        return (ChannelsSource.Cache, cached, reason);
    }

    /// <inheritdoc />
    public void Dispose() => Invoker.Dispose();
}
