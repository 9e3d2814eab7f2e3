using BotResilience.Testing;

namespace BotResilience.MTProto.Tests.Fakes;

/// <summary>Drives a <see cref="ManualTimeProvider"/> from a test while asynchronous flows make progress.</summary>
internal static class TestClock
{
    /// <summary>Lets continuations that were released by the clock (or by completed tasks) run.</summary>
    public static async Task Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            await Task.Yield();
            await Task.Delay(1);
        }
    }

    /// <summary>Advances in <paramref name="step"/>s up to <paramref name="total"/>, settling after each step.</summary>
    public static async Task AdvanceAsync(this ManualTimeProvider time, TimeSpan total, TimeSpan step)
    {
        await Settle();
        var moved = TimeSpan.Zero;
        while (moved < total)
        {
            var next = total - moved < step ? total - moved : step;
            time.Advance(next);
            moved += next;
            await Settle();
        }
    }

    /// <summary>Advances in steps until <paramref name="condition"/> holds; fails after <paramref name="limit"/> of fake time.</summary>
    public static async Task AdvanceUntilAsync(this ManualTimeProvider time, Func<bool> condition, TimeSpan step, TimeSpan limit)
    {
        await Settle();
        var moved = TimeSpan.Zero;
        while (!condition())
        {
            if (moved >= limit)
            {
                throw new TimeoutException($"Condition not met after {limit} of fake time.");
            }

            time.Advance(step);
            moved += step;
            await Settle();
        }
    }

    /// <summary>Waits (real time, bounded) for <paramref name="condition"/> without moving the clock.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 5000)
    {
        var start = Environment.TickCount64;
        while (!condition())
        {
            if (Environment.TickCount64 - start > timeoutMs)
            {
                throw new TimeoutException("Condition not met in real time.");
            }

            await Task.Delay(1);
        }
    }
}
