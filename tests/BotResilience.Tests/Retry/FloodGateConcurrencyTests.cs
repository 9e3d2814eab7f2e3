using BotResilience.Pipelines;
using BotResilience.Retry;
using BotResilience.Testing;

namespace BotResilience.Tests.Retry;

public sealed class FloodGateConcurrencyTests
{
    [Fact]
    public async Task Thousand_concurrent_callers_none_passes_before_the_deadline_all_pass_after()
    {
        const int Callers = 1000;
        var time = new ManualTimeProvider();
        var start = time.GetTimestamp();
        var gate = new FloodGate(time);
        var options = new RetryOptions { FloodGate = gate, FloodGateScope = "bot" };
        options.FloodWaitClassifiers.Add(new FakeFloodClassifier());
        var pipeline = new ResiliencePipelineBuilder(time).AddFloodGate(gate, "bot").AddRetry(options).Build();
        var sent = new long[Callers + 1];
        var sentCount = 0;

        // Caller 0's first request gets a 30 s flood wait: its retry pauses the gate for everyone.
        var firstAttempt = true;
        var flooded = pipeline.ExecuteAsync(_ =>
        {
            if (firstAttempt)
            {
                firstAttempt = false;
                throw new FakeFloodException(TimeSpan.FromSeconds(30));
            }

            sent[Interlocked.Increment(ref sentCount) - 1] = time.GetTimestamp();
            return new ValueTask<int>(0);
        }).AsTask();
        Assert.Equal(TimeSpan.FromSeconds(30), gate.GetRemainingPause("bot"));

        // 1000 executions in flight at once, all parked on the gate.
        var callers = Enumerable.Range(1, Callers).Select(i => pipeline.ExecuteAsync(_ =>
        {
            sent[Interlocked.Increment(ref sentCount) - 1] = time.GetTimestamp();
            return new ValueTask<int>(i);
        }).AsTask()).ToArray();
        Assert.Equal(Callers + 1, time.ActiveTimerCount);

        time.Step(TimeSpan.FromSeconds(10));

        // Meanwhile 1000 threads learn flood waits of up to 40 s at once: the longest one wins (t = 50 s).
        Parallel.For(0, 1000, i => gate.Pause("bot", TimeSpan.FromMilliseconds(40_000 - (i * 37 % 40_000))));
        Assert.Equal(TimeSpan.FromSeconds(40), gate.GetRemainingPause("bot"));

        for (var i = 0; i < 399; i++)
        {
            time.Step(TimeSpan.FromMilliseconds(100));
        }

        time.Step(TimeSpan.FromMilliseconds(99));

        Assert.Equal(0, Volatile.Read(ref sentCount));
        time.Step(TimeSpan.FromMilliseconds(1));
        var results = await Task.WhenAll(callers);
        Assert.Equal(0, await flooded);
        Assert.Equal(Enumerable.Range(1, Callers), results);
        Assert.Equal(Callers + 1, sentCount);
        Assert.All(sent, t => Assert.Equal(TimeSpan.FromSeconds(50), time.GetElapsedTime(start, t)));
    }

    [Fact]
    public void Concurrent_pauses_from_many_threads_keep_the_longest_deadline()
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        Parallel.For(0, 10_000, i => gate.Pause("chat:" + (i % 7), TimeSpan.FromMilliseconds(1 + (i * 7919 % 100_000))));
        for (var s = 0; s < 7; s++)
        {
            var expected = Enumerable.Range(0, 10_000).Where(i => i % 7 == s).Max(i => 1 + (i * 7919 % 100_000));
            Assert.Equal(TimeSpan.FromMilliseconds(expected), gate.GetRemainingPause("chat:" + s));
        }
    }
}
