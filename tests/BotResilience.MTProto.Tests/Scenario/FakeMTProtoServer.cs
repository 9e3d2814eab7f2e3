using BotResilience.Testing;
using TL;

namespace BotResilience.MTProto.Tests.Scenario;

/// <summary>
/// A fake Telegram MTProto server with its own limit: more than <c>limit</c> calls in any second earns the session a
/// FLOOD_WAIT of <c>floodSeconds</c>; calls during that ban are counted (they should never happen) and flood-waited again.
/// During an outage calls hang and fail 45 s later (as a dead connection would).
/// </summary>
internal sealed class FakeMTProtoServer(ManualTimeProvider time, int limit, int floodSeconds)
{
    private readonly object _lock = new();
    private readonly Queue<long> _recent = new();
    private long _bannedUntil;

    public bool Outage { get; set; }

    public int Calls { get; private set; }

    public int Served { get; private set; }

    public int FloodWaitsSent { get; private set; }

    public int CallsWhileBanned { get; private set; }

    public int HungCalls { get; private set; }

    public Task<string> GetHistoryAsync(int channel)
    {
        lock (_lock)
        {
            Calls++;
            var now = time.GetTimestamp();
            if (Outage)
            {
                HungCalls++;
                return FailLaterAsync(channel);
            }

            if (now < _bannedUntil)
            {
                CallsWhileBanned++;
                var remaining = (int)Math.Ceiling((_bannedUntil - now) / (double)time.TimestampFrequency);
                return Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", remaining));
            }

            while (_recent.Count > 0 && now - _recent.Peek() >= time.TimestampFrequency)
            {
                _recent.Dequeue();
            }

            if (_recent.Count >= limit)
            {
                FloodWaitsSent++;
                _bannedUntil = now + (floodSeconds * time.TimestampFrequency);
                return Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", floodSeconds));
            }

            _recent.Enqueue(now);
            Served++;
            return Task.FromResult("fresh:" + channel);
        }
    }

    private async Task<string> FailLaterAsync(int channel)
    {
        await Task.Delay(TimeSpan.FromSeconds(45), time);
        throw new IOException($"connection to DC lost while fetching {channel}");
    }
}
