using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BotResilience.RateLimiting;
using BotResilience.Testing;

namespace BotResilience.Tests.RateLimiting;

public sealed class RateLimiterMetricsTests
{
    [Fact]
    public async Task Grants_rejections_and_queue_waits_are_reported_with_name_kind_and_outcome()
    {
        var name = "metrics-test-" + Guid.NewGuid().ToString("N");
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "BotResilience" && instrument.Name.StartsWith("botresilience.ratelimiter.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }

            if (Equals(dictionary.GetValueOrDefault("limiter"), name))
            {
                measurements.Enqueue((instrument.Name, value, dictionary));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var time = new ManualTimeProvider();
        using var limiter = new TokenBucketLimiter(new TokenBucketLimiterOptions { Name = name, TokenLimit = 1, QueueLimit = 1 }, time);
        Assert.True(limiter.TryAcquire().IsGranted);
        Assert.False(limiter.TryAcquire().IsGranted);
        var waiting = limiter.AcquireAsync();
        Assert.Equal(RateLimitOutcome.QueueFull, (await limiter.AcquireAsync()).Outcome);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(waiting.IsCompletedSuccessfully);

        var all = measurements.ToList();
        Assert.Equal(2, all.Count(m => m.Instrument == "botresilience.ratelimiter.grants" && Equals(m.Tags["kind"], "token_bucket")));
        Assert.Single(all, m => m.Instrument == "botresilience.ratelimiter.rejections" && Equals(m.Tags["outcome"], "throttled"));
        Assert.Single(all, m => m.Instrument == "botresilience.ratelimiter.rejections" && Equals(m.Tags["outcome"], "queue_full"));
        var wait = Assert.Single(all, m => m.Instrument == "botresilience.ratelimiter.queue_wait");
        Assert.Equal(1.0, wait.Value);
    }
}
