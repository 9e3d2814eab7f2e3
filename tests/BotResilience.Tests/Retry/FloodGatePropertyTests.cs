using BotResilience.Pipelines;
using BotResilience.Retry;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.Retry;

public sealed class FloodGatePropertyTests
{
    [Fact]
    public void Gate_deadlines_never_move_earlier_under_random_pause_sequences()
    {
        var operation = Gen.Zip(Gen.Zip(Gen.Choose(0, 5_000), Gen.Choose(0, 60_000)), Gen.Choose(0, 2)).Select(t => (AdvanceMs: t.Item1.Item1, PauseMs: t.Item1.Item2, Scope: t.Item2));
        Prop.ForAll(
            Gen.ListOf(operation).Select(l => l.ToArray()).ToArbitrary(),
            ((int AdvanceMs, int PauseMs, int Scope)[] operations) =>
            {
                var time = new ManualTimeProvider();
                var gate = new FloodGate(time);
                var model = new long[3]; // deadline per scope, in ms since start
                long now = 0;
                foreach (var (advanceMs, pauseMs, scope) in operations)
                {
                    time.Advance(TimeSpan.FromMilliseconds(advanceMs));
                    now += advanceMs;
                    var before = gate.GetRemainingPause("s" + scope);
                    gate.Pause("s" + scope, TimeSpan.FromMilliseconds(pauseMs));
                    if (pauseMs > 0)
                    {
                        model[scope] = Math.Max(model[scope], now + pauseMs);
                    }

                    var after = gate.GetRemainingPause("s" + scope);
                    if (after < before)
                    {
                        return false;
                    }

                    for (var s = 0; s < 3; s++)
                    {
                        var expected = TimeSpan.FromMilliseconds(Math.Max(0, model[s] - now));
                        if (gate.GetRemainingPause("s" + s) != expected)
                        {
                            return false;
                        }
                    }
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void No_retry_is_ever_sent_before_the_flood_gate_deadline()
    {
        var waits = Gen.ListOf(Gen.Choose(0, 20_000)).Select(l => l.Take(6).ToArray());
        var external = Gen.Zip(Gen.Choose(0, 30), Gen.Choose(0, 40_000));
        var steps = Gen.Choose(1, 3_000);
        Prop.ForAll(
            waits.ToArbitrary(),
            external.ToArbitrary(),
            steps.ToArbitrary(),
            (serverWaitsMs, pause, stepMs) => RunGatedScenario(serverWaitsMs, pause.Item1, pause.Item2, stepMs)).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Retry_never_sends_earlier_than_a_server_given_wait()
    {
        // Sub-millisecond waits included: the timer's whole-millisecond rounding must never shorten them.
        var waits = Gen.ListOf(Gen.Choose(0, 200_000_000)).Select(l => l.Take(5).Select(t => TimeSpan.FromTicks(t)).ToArray());
        Prop.ForAll(
            waits.ToArbitrary(),
            Gen.Choose(1, 3_000).ToArbitrary(),
            (serverWaits, stepMs) =>
            {
                var time = new ManualTimeProvider();
                var options = new RetryOptions { MaxRetryAttempts = serverWaits.Length };
                options.FloodWaitClassifiers.Add(new FakeFloodClassifier());
                var pipeline = new ResiliencePipelineBuilder(time).AddRetry(options).Build();
                var attemptTimes = new List<long>();
                var task = pipeline.ExecuteAsync(_ =>
                {
                    attemptTimes.Add(time.GetTimestamp());
                    var n = attemptTimes.Count - 1;
                    return n < serverWaits.Length ? throw new FakeFloodException(serverWaits[n]) : new ValueTask<int>(n);
                }).AsTask();
                if (!DriveToCompletion(time, task, TimeSpan.FromMilliseconds(stepMs)) || task.Result != serverWaits.Length)
                {
                    return false;
                }

                for (var i = 0; i < serverWaits.Length; i++)
                {
                    if (attemptTimes[i + 1] - attemptTimes[i] < serverWaits[i].Ticks)
                    {
                        return false;
                    }
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }

    private static bool RunGatedScenario(int[] serverWaitsMs, int externalPauseAtStep, int externalPauseMs, int stepMs)
    {
        var time = new ManualTimeProvider();
        var gate = new FloodGate(time);
        var options = new RetryOptions { MaxRetryAttempts = serverWaitsMs.Length, FloodGate = gate, FloodGateScope = "bot" };
        options.FloodWaitClassifiers.Add(new FakeFloodClassifier());
        var pipeline = new ResiliencePipelineBuilder(time).AddFloodGate(gate, "bot").AddRetry(options).Build();
        var violations = 0;
        var attempts = 0;
        var task = pipeline.ExecuteAsync(_ =>
        {
            if (gate.GetRemainingPause("bot") > TimeSpan.Zero)
            {
                violations++;
            }

            var n = attempts++;
            return n < serverWaitsMs.Length ? throw new FakeFloodException(TimeSpan.FromMilliseconds(serverWaitsMs[n])) : new ValueTask<int>(n);
        }).AsTask();

        for (var i = 0; i < 1_000_000 && !task.IsCompleted; i++)
        {
            if (i == externalPauseAtStep)
            {
                gate.Pause("bot", TimeSpan.FromMilliseconds(externalPauseMs)); // another caller learns a wait
            }

            time.Step(TimeSpan.FromMilliseconds(stepMs));
        }

        return task.IsCompletedSuccessfully && violations == 0 && attempts == serverWaitsMs.Length + 1;
    }

    private static bool DriveToCompletion<T>(ManualTimeProvider time, Task<T> task, TimeSpan step)
    {
        for (var i = 0; i < 1_000_000 && !task.IsCompleted; i++)
        {
            time.Step(step);
        }

        return task.IsCompletedSuccessfully;
    }
}
