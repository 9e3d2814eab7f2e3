// TEMPORARY stand-in until feat/pipeline merges (see README.md in this folder).
#pragma warning disable CS1591
namespace BotResilience.Retry;

public sealed class FloodGate : IFloodGate
{
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _deadlines = new(StringComparer.Ordinal);

    public FloodGate(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    public int TrackedScopeCount => _deadlines.Count;

    public TimeSpan GetRemainingPause(string scope)
    {
        if (!_deadlines.TryGetValue(scope, out long deadline)) { return TimeSpan.Zero; }
        long now = _time.GetTimestamp();
        if (now >= deadline) { _deadlines.TryRemove(new KeyValuePair<string, long>(scope, deadline)); return TimeSpan.Zero; }
        return _time.GetElapsedTime(now, deadline);
    }

    public void Pause(string scope, TimeSpan duration)
    {
        long deadline = _time.GetTimestamp() + (long)(duration.TotalSeconds * _time.TimestampFrequency);
        _deadlines.AddOrUpdate(scope, deadline, (_, old) => Math.Max(old, deadline));
    }

    public ValueTask PauseAsync(string scope, TimeSpan duration, CancellationToken cancellationToken = default) { Pause(scope, duration); return ValueTask.CompletedTask; }

    public ValueTask<TimeSpan> GetRemainingPauseAsync(string scope, CancellationToken cancellationToken = default) => new(GetRemainingPause(scope));

    public async ValueTask WaitAsync(string scope, CancellationToken cancellationToken = default)
    {
        TimeSpan left;
        while ((left = GetRemainingPause(scope)) > TimeSpan.Zero)
        {
            await Task.Delay(left, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}

public sealed class FloodWaitException : Exception
{
    public FloodWaitException(TimeSpan retryAfter, string? scope, Exception? inner = null) : base($"Flood wait of {retryAfter} for '{scope}' exceeds the threshold.", inner) { RetryAfter = retryAfter; Scope = scope; }
    public TimeSpan RetryAfter { get; }
    public string? Scope { get; }
}
