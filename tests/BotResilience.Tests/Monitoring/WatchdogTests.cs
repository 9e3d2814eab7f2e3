using BotResilience.Monitoring;
using BotResilience.Testing;
using Microsoft.Extensions.Hosting;

namespace BotResilience.Tests.Monitoring;

public sealed class WatchdogTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    private static (Watchdog Watchdog, ManualTimeProvider Time, RecordingTerminator Terminator) Create(WatchdogAction action, IHostApplicationLifetime? lifetime = null, TestLogger? logger = null)
    {
        var time = new ManualTimeProvider();
        var terminator = new RecordingTerminator();
        var watchdog = new Watchdog(new WatchdogOptions { GracePeriod = Grace, CheckInterval = TimeSpan.FromSeconds(5), Action = action, ExitCode = 42 }, time, logger, lifetime, terminator);
        return (watchdog, time, terminator);
    }

    [Fact]
    public void Source_that_beats_within_its_limit_stays_healthy()
    {
        var (watchdog, time, _) = Create(WatchdogAction.MarkUnhealthy);
        var webhook = watchdog.Register("webhook", Limit);
        watchdog.Start();
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(170));
            webhook.Beat();
            Assert.Equal(LivenessState.Healthy, watchdog.Check().Sources.Single().State);
        }

        Assert.True(watchdog.IsHealthy);
    }

    [Fact]
    public void Silence_beyond_the_limit_makes_the_source_stale_and_a_beat_recovers_it()
    {
        var (watchdog, time, _) = Create(WatchdogAction.MarkUnhealthy);
        var webhook = watchdog.Register("webhook", Limit);
        var stale = new List<string>();
        var recovered = new List<string>();
        watchdog.SourceStale += (_, e) => stale.Add(e.Status.Name);
        watchdog.SourceRecovered += (_, e) => recovered.Add(e.Status.Name);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(61));
        webhook.Beat();

        time.Advance(Limit);
        Assert.Equal(LivenessState.Healthy, watchdog.Check().Sources[0].State); // exactly at the limit: not yet
        time.Advance(TimeSpan.FromSeconds(1));
        var status = watchdog.Check();
        Assert.Equal(LivenessState.Stale, status.Sources[0].State);
        Assert.False(status.IsHealthy);
        Assert.False(watchdog.IsHealthy);
        Assert.Equal(["webhook"], stale);

        watchdog.Check();
        Assert.Single(stale); // once per stale episode

        webhook.Beat();
        Assert.True(watchdog.Check().IsHealthy);
        Assert.Equal(["webhook"], recovered);
    }

    [Fact]
    public void No_source_is_stale_during_the_grace_period()
    {
        var (watchdog, time, _) = Create(WatchdogAction.MarkUnhealthy);
        watchdog.Register("fast", TimeSpan.FromSeconds(5));
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(59));
        var status = watchdog.Check();
        Assert.True(status.InGracePeriod);
        Assert.Equal(LivenessState.NeverSeen, status.Sources[0].State);
        Assert.True(status.IsHealthy);

        time.Advance(TimeSpan.FromSeconds(1));
        status = watchdog.Check();
        Assert.False(status.InGracePeriod);
        Assert.Equal(LivenessState.Stale, status.Sources[0].State);
        Assert.Null(status.Sources[0].LastBeat);
    }

    [Fact]
    public void Never_seen_source_is_stale_once_silent_longer_than_its_limit_since_start()
    {
        var (watchdog, time, _) = Create(WatchdogAction.MarkUnhealthy);
        watchdog.Register("webhook", Limit);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(180));
        Assert.Equal(LivenessState.NeverSeen, watchdog.Check().Sources[0].State);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LivenessState.Stale, watchdog.Check().Sources[0].State);
    }

    [Fact]
    public void Grace_end_is_logged_once_naming_sources_without_traffic()
    {
        var logger = new TestLogger();
        var (watchdog, time, _) = Create(WatchdogAction.Log, logger: logger);
        watchdog.Register("webhook", Limit);
        watchdog.Register("polling", Limit).Beat();
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(30)); // periodic checks run in grace: nothing logged yet
        Assert.DoesNotContain(logger.Messages, m => m.Contains("WATCHDOG_GRACE_END", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromSeconds(35)); // the periodic check at 60 s ends the grace
        var graceLines = logger.Messages.Where(m => m.Contains("WATCHDOG_GRACE_END", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, graceLines.Count);
        Assert.Contains(graceLines, m => m.Contains("'webhook'", StringComparison.Ordinal));
        Assert.Contains(graceLines, m => m.Contains("1 of 2 sources seen", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(2, logger.Messages.Count(m => m.Contains("WATCHDOG_GRACE_END", StringComparison.Ordinal)));
    }

    [Fact]
    public void Periodic_check_runs_only_while_started()
    {
        var (watchdog, time, _) = Create(WatchdogAction.Log);
        watchdog.Register("w", TimeSpan.FromSeconds(10));
        var stale = 0;
        watchdog.SourceStale += (_, _) => stale++;
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, stale); // not started: no timer

        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(75));
        Assert.Equal(1, stale);
        watchdog.Stop();
        Assert.Equal(0, time.ActiveTimerCount);
        watchdog.Dispose();
    }

    [Fact]
    public void Log_action_reports_stale_but_keeps_the_watchdog_healthy()
    {
        var logger = new TestLogger();
        var (watchdog, time, terminator) = Create(WatchdogAction.Log, logger: logger);
        watchdog.Register("webhook", Limit);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(200));
        var status = watchdog.Check();
        Assert.Equal(LivenessState.Stale, status.Sources[0].State);
        Assert.True(status.IsHealthy);
        Assert.True(watchdog.IsHealthy);
        Assert.Contains(logger.Messages, m => m.Contains("LIVENESS_CHECK_FAILED", StringComparison.Ordinal) && m.Contains("webhook", StringComparison.Ordinal));
        Assert.Empty(terminator.ExitCodes);
    }

    [Fact]
    public void MarkUnhealthy_action_turns_the_watchdog_unhealthy_without_stopping_anything()
    {
        var lifetime = new RecordingLifetime();
        var (watchdog, time, terminator) = Create(WatchdogAction.MarkUnhealthy, lifetime);
        watchdog.Register("webhook", Limit);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(185));
        Assert.False(watchdog.IsHealthy);
        Assert.Equal(0, lifetime.StopCalls);
        Assert.Empty(terminator.ExitCodes);
    }

    [Fact]
    public void StopHost_action_stops_the_application_once()
    {
        var lifetime = new RecordingLifetime();
        var (watchdog, time, terminator) = Create(WatchdogAction.StopHost, lifetime);
        watchdog.Register("webhook", Limit);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(180));
        Assert.Equal(0, lifetime.StopCalls);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, lifetime.StopCalls);
        Assert.Empty(terminator.ExitCodes);
    }

    [Fact]
    public void StopHost_without_a_lifetime_is_rejected_at_construction()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Watchdog(new WatchdogOptions { Action = WatchdogAction.StopHost }));
        Assert.Equal("lifetime", ex.ParamName);
        var watchdog = new Watchdog();
        Assert.Throws<ArgumentException>(() => watchdog.Register("x", new WatchdogSourceOptions { Action = WatchdogAction.StopHost }));
    }

    [Fact]
    public void TerminateProcess_action_exits_with_the_configured_code()
    {
        var (watchdog, time, terminator) = Create(WatchdogAction.TerminateProcess);
        watchdog.Register("webhook", Limit);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(179));
        Assert.Empty(terminator.ExitCodes);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([42], terminator.ExitCodes);
    }

    [Fact]
    public void Per_source_action_overrides_the_default()
    {
        var (watchdog, time, terminator) = Create(WatchdogAction.Log);
        watchdog.Register("webhook", new WatchdogSourceOptions { SilenceLimit = Limit, Action = WatchdogAction.TerminateProcess });
        watchdog.Register("reports", TimeSpan.FromSeconds(10));
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(100));
        Assert.Empty(terminator.ExitCodes);
        Assert.True(watchdog.IsHealthy); // "reports" is stale but only logs
        time.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal([42], terminator.ExitCodes);
    }

    [Fact]
    public void Source_registered_late_gets_its_own_grace_period()
    {
        var (watchdog, time, _) = Create(WatchdogAction.MarkUnhealthy);
        watchdog.Start();
        time.Advance(TimeSpan.FromMinutes(10));
        watchdog.Register("late", TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(LivenessState.NeverSeen, watchdog.Check().Sources[0].State);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(LivenessState.Stale, watchdog.Check().Sources[0].State);
    }

    [Fact]
    public void Beat_by_name_and_validation()
    {
        var (watchdog, time, _) = Create(WatchdogAction.Log);
        var source = watchdog.Register("webhook", Limit);
        Assert.False(source.HasBeaten);
        time.Advance(TimeSpan.FromSeconds(3));
        watchdog.Beat("webhook");
        Assert.True(source.HasBeaten);
        Assert.Equal(TimeSpan.Zero, source.TimeSinceLastBeat);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), source.TimeSinceLastBeat);
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromSeconds(2), watchdog.GetStatus().Sources[0].LastBeat);
        Assert.Throws<ArgumentException>(() => watchdog.Beat("unknown"));
        Assert.Throws<ArgumentException>(() => watchdog.Register("webhook", Limit));
        Assert.Throws<ArgumentOutOfRangeException>(() => watchdog.Register("zero", TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Watchdog(new WatchdogOptions { GracePeriod = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Watchdog(new WatchdogOptions { CheckInterval = TimeSpan.Zero }));
        Assert.True(watchdog.Unregister("webhook"));
        Assert.Empty(watchdog.GetStatus().Sources);
    }

    [Fact]
    public void Beat_does_not_allocate()
    {
        var watchdog = new Watchdog();
        var source = watchdog.Register("webhook", Limit);
        source.Beat();
        watchdog.Beat("webhook");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            source.Beat();
            watchdog.Beat("webhook");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_throwing_subscriber_does_not_prevent_the_action()
    {
        var (watchdog, time, terminator) = Create(WatchdogAction.TerminateProcess);
        watchdog.SourceStale += (_, _) => throw new InvalidOperationException("bug");
        watchdog.Register("webhook", Limit);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal([42], terminator.ExitCodes);
    }
}
