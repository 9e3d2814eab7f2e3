using BotResilience.Monitoring;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.Monitoring;

/// <summary>Model-based test: random beats and clock moves, the watchdog's judgement and stale events must match a reference model.</summary>
public sealed class WatchdogModelTests
{
    [Fact]
    public void Watchdog_matches_the_reference_model()
    {
        // An operation is either "advance the clock by N seconds" (N >= 0) or "beat" (-1).
        var op = Gen.OneOf(Gen.Choose(0, 120), Gen.Constant(-1));
        Prop.ForAll(
            Gen.Choose(0, 90).ToArbitrary(),
            Gen.Choose(1, 200).ToArbitrary(),
            Gen.ListOf(op).ToArbitrary(),
            (graceSeconds, limitSeconds, ops) =>
            {
                var time = new ManualTimeProvider();
                var terminator = new RecordingTerminator();
                var watchdog = new Watchdog(new WatchdogOptions { GracePeriod = TimeSpan.FromSeconds(graceSeconds), Action = WatchdogAction.TerminateProcess }, time, null, null, terminator);
                var source = watchdog.Register("webhook", TimeSpan.FromSeconds(limitSeconds));
                long now = 0;
                long? lastBeat = null;
                bool modelStale = false;
                int modelStaleEpisodes = 0;
                foreach (var o in ops)
                {
                    if (o < 0)
                    {
                        source.Beat();
                        lastBeat = now;
                    }
                    else
                    {
                        time.Advance(TimeSpan.FromSeconds(o));
                        now += o;
                    }

                    bool inGrace = now < graceSeconds;
                    long silence = now - (lastBeat ?? 0);
                    bool stale = !inGrace && silence > limitSeconds;
                    var expected = stale ? LivenessState.Stale : lastBeat is null ? LivenessState.NeverSeen : LivenessState.Healthy;
                    if (stale && !modelStale)
                    {
                        modelStaleEpisodes++;
                    }

                    modelStale = stale;
                    var status = watchdog.Check();
                    var actual = status.Sources.Single();
                    if (actual.State != expected || actual.Silence != TimeSpan.FromSeconds(silence) || status.IsHealthy == stale || status.InGracePeriod != inGrace)
                    {
                        return false;
                    }
                }

                // TerminateProcess fires exactly once per stale episode.
                return terminator.ExitCodes.Count == modelStaleEpisodes;
            }).QuickCheckThrowOnFailure();
    }
}
