using System.Collections.Concurrent;
using BotResilience.Testing;

namespace BotResilience.MTProto.Tests.Fakes;

/// <summary>A fake MTProto call whose answers are scripted per call number; records when each call happened.</summary>
internal sealed class ScriptedService
{
    private readonly ManualTimeProvider _time;
    private readonly Func<int, Task<string>> _answer;
    private readonly ConcurrentQueue<TimeSpan> _calls = new();
    private readonly DateTimeOffset _start;
    private int _count;

    public ScriptedService(ManualTimeProvider time, Func<int, Task<string>> answer)
    {
        _time = time;
        _answer = answer;
        _start = time.GetUtcNow();
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Fake-time offsets (from creation) of every call, in call order.</summary>
    public TimeSpan[] CallTimes => [.. _calls];

    public Task<string> Call(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _count) - 1;
        _calls.Enqueue(_time.GetUtcNow() - _start);
        return _answer(n);
    }
}
