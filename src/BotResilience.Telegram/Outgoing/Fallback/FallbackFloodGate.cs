using BotResilience.Retry;

namespace BotResilience.Telegram.Outgoing.Fallback;

/// <summary>Minimal in-memory flood gate: monotonic deadlines merged with max.</summary>
internal sealed class FallbackFloodGate : IFloodGate
{
    private readonly Dictionary<string, long> _deadlines = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly object _lock = new();

    public FallbackFloodGate(TimeProvider time) => _time = time;

    public void Pause(string scope, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var deadline = _time.GetTimestamp() + (long)(duration.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        lock (_lock)
        {
            if (!_deadlines.TryGetValue(scope, out var existing) || existing < deadline)
            {
                _deadlines[scope] = deadline;
            }
        }
    }

    public TimeSpan GetRemainingPause(string scope)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_deadlines.TryGetValue(scope, out var deadline))
            {
                return TimeSpan.Zero;
            }

            if (deadline <= now)
            {
                _deadlines.Remove(scope);
                return TimeSpan.Zero;
            }

            return TimeSpan.FromTicks((long)Math.Ceiling((deadline - now) * (TimeSpan.TicksPerSecond / (double)_time.TimestampFrequency)));
        }
    }

    public ValueTask PauseAsync(string scope, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Pause(scope, duration);
        return ValueTask.CompletedTask;
    }

    public ValueTask<TimeSpan> GetRemainingPauseAsync(string scope, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(GetRemainingPause(scope));

    public async ValueTask WaitAsync(string scope, CancellationToken cancellationToken = default)
    {
        TimeSpan left;
        while ((left = GetRemainingPause(scope)) > TimeSpan.Zero)
        {
            await Task.Delay(left, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
