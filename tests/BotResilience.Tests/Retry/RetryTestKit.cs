using BotResilience.Retry;
using BotResilience.Testing;

namespace BotResilience.Tests.Retry;

/// <summary>A server-style flood wait error and its classifier, as adapters provide them.</summary>
internal sealed class FakeFloodException(TimeSpan retryAfter, string? scope = null) : Exception("FLOOD_WAIT")
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    public string? Scope { get; } = scope;
}

internal sealed class FakeFloodClassifier : IFloodWaitClassifier
{
    public bool TryClassify(Exception exception, out FloodWait floodWait)
    {
        if (exception is FakeFloodException flood)
        {
            floodWait = new FloodWait(flood.RetryAfter, flood.Scope);
            return true;
        }

        floodWait = default;
        return false;
    }
}

internal static class ManualTimeDriver
{
    /// <summary>Advances <paramref name="time"/> in <paramref name="step"/>s until <paramref name="task"/> completes.</summary>
    public static async Task<T> RunAsync<T>(ManualTimeProvider time, Task<T> task, TimeSpan step, int maxSteps = 100_000)
    {
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            time.Step(step);
        }

        Assert.True(task.IsCompleted, "the task did not complete while time advanced");
        return await task;
    }

    public static TimeSpan Elapsed(ManualTimeProvider time, long start) => time.GetElapsedTime(start);
}

internal static class ManualTimeProviderExtensions
{
    /// <summary>
    /// Advances the clock with no synchronization context, so continuations of the timers it fires run inline
    /// (under xUnit's context they would be posted to the thread pool and race with the test's next assertion).
    /// </summary>
    public static void Step(this ManualTimeProvider time, TimeSpan delta)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            time.Advance(delta);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }
}
