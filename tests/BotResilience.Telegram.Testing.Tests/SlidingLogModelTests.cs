using BotResilience.Telegram.Testing.Limits;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Telegram.Testing.Tests;

public sealed class SlidingLogModelTests
{
    /// <summary>Model-based: the ring buffer (including its growth) answers exactly like a naive list of timestamps.</summary>
    [Fact]
    public void Sliding_log_matches_a_naive_model()
    {
        var scenario =
            from limit in Gen.Choose(1, 80)
            from window in Gen.Choose(1, 50)
            from steps in Gen.Choose(0, 20).ArrayOf()
            select (limit, window, steps);
        Prop.ForAll(scenario.ToArbitrary(), s =>
        {
            var log = new SlidingLog(s.limit, s.window);
            var model = new List<long>();
            long now = 1000;
            foreach (var step in s.steps.Concat(Enumerable.Repeat(0, 100)))
            {
                now += step % 3 == 0 ? step / 3 : 0; // many events share a timestamp
                model.RemoveAll(t => t + s.window <= now);
                var expectedWait = model.Count < s.limit ? 0 : model[0] + s.window - now;
                if (log.GetWait(now) != expectedWait)
                {
                    return false;
                }

                if (expectedWait == 0)
                {
                    log.Add(now);
                    model.Add(now);
                }

                if (log.Count != model.Count)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
