using System.Globalization;

namespace BotResilience.SampleBot.Simulation;

/// <summary>
/// Shaped like WTelegramClient's <c>TL.RpcException</c> (<c>Code</c>, <c>X</c>, message normalised to
/// <c>FLOOD_WAIT_X</c>) so the MTProto classifier logic applies unchanged to the simulation.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">RPC error code (420 for flood waits).</param>
    /// <param name="message">Normalised message (e.g. FLOOD_WAIT_X).</param>
    /// <param name="x">The X value (seconds for flood waits).</param>
    public RpcException(int code, string message, int x) : base(message)
    {
        Code = code;
        X = x;
    }

    /// <summary>RPC error code.</summary>
#pragma warning disable CA1051 // mirrors the real field-based API of TL.RpcException
    public readonly int Code;

    /// <summary>The X in FLOOD_WAIT_X.</summary>
    public readonly int X;
#pragma warning restore CA1051
}

/// <summary>A channel summary.</summary>
/// <param name="Id">Channel id.</param>
/// <param name="Title">Title.</param>
/// <param name="Members">Members.</param>
public sealed record ChannelInfo(long Id, string Title, int Members);

/// <summary>
/// Seed 001: an MTProto account that answers <c>FLOOD_WAIT_X</c> when called faster than Telegram likes
/// (here: more than 15 calls per second, or randomly at <see cref="FloodRate"/>).
/// </summary>
public sealed class SimulatedMTProtoService
{
    private readonly SimulationSettings _settings;
    private readonly Lock _lock = new();
    private readonly Queue<long> _recent = new();
    private long _calls;
    private long _floodWaits;
    private long _floodedUntil;

    /// <summary>Creates the service.</summary>
    /// <param name="settings">Settings.</param>
    /// <param name="floodRate">Random flood-wait probability.</param>
    public SimulatedMTProtoService(SimulationSettings settings, double floodRate)
    {
        _settings = settings;
        FloodRate = floodRate;
    }

    /// <summary>Random flood-wait probability.</summary>
    public double FloodRate { get; set; }

    /// <summary>Seconds of FLOOD_WAIT_X handed out (X).</summary>
    public int FloodSeconds { get; set; } = 3;

    /// <summary>Calls made.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>FLOOD_WAIT errors returned.</summary>
    public long FloodWaits => Interlocked.Read(ref _floodWaits);

    /// <summary>Calls made while the account was told to wait (must stay 0 with the flood gate).</summary>
    public long CallsDuringFlood { get; private set; }

    /// <summary>channels.getChannels equivalent.</summary>
    /// <param name="userId">Whose channels.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<IReadOnlyList<ChannelInfo>> GetChannelsAsync(long userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        long now = _settings.TimeProvider.GetTimestamp();
        lock (_lock)
        {
            if (now < _floodedUntil)
            {
                CallsDuringFlood++;
                throw Flood(_settings.TimeProvider.GetElapsedTime(now, _floodedUntil));
            }

            while (_recent.Count > 0 && _settings.TimeProvider.GetElapsedTime(_recent.Peek(), now) > TimeSpan.FromSeconds(1))
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(now);
            if (_recent.Count > 15 || Random.Shared.NextDouble() < FloodRate)
            {
                TimeSpan wait = TimeSpan.FromSeconds(FloodSeconds * _settings.DelayScale);
                _floodedUntil = now + (long)(wait.TotalSeconds * _settings.TimeProvider.TimestampFrequency);
                throw Flood(wait);
            }
        }

        await Task.Delay(_settings.Between(0.05, 0.3), _settings.TimeProvider, cancellationToken);
        return
        [
            new ChannelInfo(-1001000000000 - (userId % 1000), string.Create(CultureInfo.InvariantCulture, $"Channel of {userId}"), 100 + (int)(userId % 5000)),
            new ChannelInfo(-1002000000000, "BotResilience news", 12_345),
        ];
    }

    private RpcException Flood(TimeSpan wait)
    {
        Interlocked.Increment(ref _floodWaits);
        int x = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return new RpcException(420, "FLOOD_WAIT_X", x);
    }
}
