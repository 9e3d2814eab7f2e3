using System.Collections.Concurrent;
using BotResilience.CircuitBreaking;
using BotResilience.RateLimiting;
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
/// Seed 001: reads channels through MTProto with a per-session limit (10/s and 200/min, exact sliding windows),
/// a shared flood gate that honours FLOOD_WAIT_X, a circuit breaker (5 failures → open) and a fallback to cached data.
/// The admin kill switch isolates the breaker: every call goes to the cache until it is switched back on.
/// </summary>
public sealed class ChannelsService : IDisposable
{
    private const string Scope = "mtproto:session:main";
    private readonly SimulatedMTProtoService _mtproto;
    private readonly SampleMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IFloodWaitClassifier _classifier = new BotResilience.MTProto.Classification.MTProtoFloodWaitClassifier(Scope); // shape-based: works on TL.RpcException and on the simulation's look-alike
    private readonly ConcurrentDictionary<long, IReadOnlyList<ChannelInfo>> _cache = new();
    private readonly TimeSpan _interactiveBudget;

    /// <summary>Creates the service.</summary>
    /// <param name="mtproto">MTProto client.</param>
    /// <param name="floodGate">Shared flood gate.</param>
    /// <param name="breakDuration">Breaker open time (seed: 300 s).</param>
    /// <param name="interactiveBudget">How long an interactive request may wait for the limiter before falling back.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="time">Clock.</param>
    public ChannelsService(SimulatedMTProtoService mtproto, FloodGate floodGate, TimeSpan breakDuration, TimeSpan interactiveBudget, SampleMetrics metrics, TimeProvider time)
    {
        _mtproto = mtproto;
        FloodGate = floodGate;
        _metrics = metrics;
        _time = time;
        _interactiveBudget = interactiveBudget;
        Limiter = new CompositeLimiter(
        [
            new SlidingWindowLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromSeconds(1), QueueLimit = 100 },
            new SlidingWindowLimiterOptions { PermitLimit = 200, Window = TimeSpan.FromMinutes(1), QueueLimit = 100 },
        ], time);
        Breaker = new CircuitBreaker(new CircuitBreakerOptions
        {
            Name = "mtproto",
            FailureThreshold = 5,
            BreakDuration = breakDuration,
            ShouldHandle = static ex => ex is RpcException or TimeoutException,
        }, time);
    }

    /// <summary>Per-session limiter.</summary>
    public CompositeLimiter Limiter { get; }

    /// <summary>Flood gate.</summary>
    public FloodGate FloodGate { get; }

    /// <summary>Breaker (isolated by the kill switch).</summary>
    public CircuitBreaker Breaker { get; }

    /// <summary>Whether the kill switch is on (MTProto isolated).</summary>
    public bool KilledByAdmin { get; private set; }

    /// <summary>Remaining flood-wait pause of the session.</summary>
    public TimeSpan RemainingFloodWait => FloodGate.GetRemainingPause(Scope);

    /// <summary>Admin kill switch.</summary>
    /// <param name="enabled">false isolates MTProto.</param>
    public void SetEnabled(bool enabled)
    {
        KilledByAdmin = !enabled;
        if (enabled)
        {
            Breaker.Reset();
        }
        else
        {
            Breaker.Isolate();
        }
    }

    /// <summary>Gets a user's channels, live when possible, else from the cache.</summary>
    /// <param name="userId">User.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<(ChannelsSource Source, IReadOnlyList<ChannelInfo> Channels, string? Reason)> GetChannelsAsync(long userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _metrics.ChannelsRequests);
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            TimeSpan paused = FloodGate.GetRemainingPause(Scope);
            if (paused > _interactiveBudget)
            {
                return Fallback(userId, $"Telegram asked us to wait {Math.Ceiling(paused.TotalSeconds)} s");
            }

            if (paused > TimeSpan.Zero)
            {
                await FloodGate.WaitAsync(Scope, cancellationToken);
            }

            if (!Breaker.TryEnter(out TimeSpan retryAfter))
            {
                return Fallback(userId, KilledByAdmin ? "MTProto switched off by admin" : $"MTProto circuit open, retry in {Math.Ceiling(retryAfter.TotalSeconds)} s");
            }

            using var budget = new CancellationTokenSource(_interactiveBudget, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
            try
            {
                RateLimitDecision permit = await Limiter.AcquireAsync(1, linked.Token);
                if (!permit.IsGranted)
                {
                    Breaker.RecordSuccess();
                    return Fallback(userId, "MTProto queue full");
                }

                IReadOnlyList<ChannelInfo> channels = await _mtproto.GetChannelsAsync(userId, linked.Token);
                Breaker.RecordSuccess();
                _cache[userId] = channels;
                return (ChannelsSource.Live, channels, null);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Breaker.RecordSuccess();
                return Fallback(userId, "MTProto busy");
            }
            catch (Exception ex) when (_classifier.TryClassify(ex, out FloodWait wait))
            {
                Interlocked.Increment(ref _metrics.MTProtoFloodWaits);
                Breaker.RecordFailure();
                FloodGate.Pause(wait.Scope ?? Scope, wait.RetryAfter + TimeSpan.FromSeconds(1));
            }
        }

        return Fallback(userId, "MTProto flood waits");
    }

    private (ChannelsSource, IReadOnlyList<ChannelInfo>, string?) Fallback(long userId, string reason)
    {
        Interlocked.Increment(ref _metrics.ChannelsFallbacks);
        IReadOnlyList<ChannelInfo> cached = _cache.TryGetValue(userId, out var c) ? c : [new ChannelInfo(-1002000000000, "BotResilience news", 12_345)];
        return (ChannelsSource.Cache, cached, reason);
    }

    /// <inheritdoc />
    public void Dispose() => Limiter.Dispose();
}
