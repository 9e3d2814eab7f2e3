using System.Diagnostics.Metrics;
using BotResilience.CircuitBreaking;
using BotResilience.Concurrency;
using BotResilience.Telemetry;
using BotResilience.Testing;

namespace BotResilience.Tests.CircuitBreaking;

public sealed class CircuitBreakerMetricsTests
{
    [Fact]
    public async Task Transitions_rejections_states_and_bulkhead_instruments_are_reported()
    {
        var name = "metrics-" + Guid.NewGuid().ToString("N");
        var longs = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        var ints = new List<(string Instrument, int Value, Dictionary<string, object?> Tags)>();
        var doubles = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ResilienceTelemetry.MeterName
                && (instrument.Name.StartsWith("botresilience.circuitbreaker.", StringComparison.Ordinal)
                    || instrument.Name.StartsWith("botresilience.bulkhead.", StringComparison.Ordinal)))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(longs, instrument, value, tags, name));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(ints, instrument, value, tags, name));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(doubles, instrument, value, tags, name));
        listener.Start();

        var time = new ManualTimeProvider();
        var registry = new CircuitBreakerRegistry(time);
        var breaker = registry.GetOrAdd(name, new CircuitBreakerOptions { FailureThreshold = 1 });
        breaker.Enter();
        breaker.RecordFailure();
        Assert.False(breaker.TryEnter(out _));

        var bulkhead = new PriorityBulkhead(new PriorityBulkheadOptions { Name = name, MaxConcurrency = 1, QueueLimit = 1 }, time);
        var first = await bulkhead.AcquireAsync();
        var waiting = bulkhead.AcquireAsync(priority: 2).AsTask();
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.AcquireAsync().AsTask());
        listener.RecordObservableInstruments();
        time.Advance(TimeSpan.FromSeconds(2));
        first.Dispose();
        (await waiting).Dispose();

        lock (longs)
        {
            var transition = Assert.Single(longs, m => m.Instrument == "botresilience.circuitbreaker.transitions");
            Assert.Equal("closed", transition.Tags["from"]);
            Assert.Equal("open", transition.Tags["to"]);
            var rejection = Assert.Single(longs, m => m.Instrument == "botresilience.circuitbreaker.rejections");
            Assert.Equal("open", rejection.Tags["state"]);
            var bulkheadRejection = Assert.Single(longs, m => m.Instrument == "botresilience.bulkhead.rejections");
            Assert.Equal("queue_full", bulkheadRejection.Tags["reason"]);
        }

        lock (ints)
        {
            Assert.Contains(ints, m => m.Instrument == "botresilience.circuitbreaker.state" && m.Value == (int)CircuitState.Open);
            Assert.Contains(ints, m => m.Instrument == "botresilience.bulkhead.queue_length" && m.Value == 1);
            Assert.Contains(ints, m => m.Instrument == "botresilience.bulkhead.active" && m.Value == 1);
        }

        lock (doubles)
        {
            var waits = doubles.Where(m => m.Instrument == "botresilience.bulkhead.wait_time").Select(m => m.Value).ToList();
            Assert.Equal([0.0, 2.0], waits);
        }

        GC.KeepAlive(registry);
    }

    private static void Add<T>(List<(string, T, Dictionary<string, object?>)> sink, Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        if (dictionary.TryGetValue("name", out var n) && Equals(n, name))
        {
            lock (sink)
            {
                sink.Add((instrument.Name, value, dictionary));
            }
        }
    }
}
