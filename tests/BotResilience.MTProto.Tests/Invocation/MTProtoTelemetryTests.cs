using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BotResilience.MTProto.Tests.Fakes;
using BotResilience.Testing;
using TL;

namespace BotResilience.MTProto.Tests.Invocation;

public sealed class MTProtoTelemetryTests
{
    [Fact]
    public async Task Flood_waits_invocations_and_breaker_rejections_are_measured_on_the_BotResilience_meter()
    {
        var session = "telemetry-" + Guid.NewGuid().ToString("N");
        var measurements = new ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "BotResilience" && instrument.Name.StartsWith("botresilience.mtproto.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dict = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dict[tag.Key] = tag.Value;
            }

            if (Equals(dict.GetValueOrDefault("session"), session) || (instrument.Name.EndsWith("duration", StringComparison.Ordinal) && Equals(dict.GetValueOrDefault("method"), session)))
            {
                measurements.Add((instrument.Name, value, dict));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var time = new ManualTimeProvider();
        using var invoker = new MTProtoInvoker(new MTProtoInvokerOptions { MaxRetryAttempts = 1 }, time);
        var service = new ScriptedService(time, n => n == 0 ? Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 7)) : Task.FromResult("ok"));

        var task = invoker.InvokeAsync(session, service.Call, method: session);
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal("ok", await task);
        invoker.Isolate(session);
        Assert.Equal("cached", await invoker.InvokeAsync(session, service.Call, fallback: _ => Task.FromResult("cached"), method: session));

        var flood = Assert.Single(measurements, m => m.Instrument == "botresilience.mtproto.flood_waits");
        Assert.Equal((1d, session, "flood_wait", "FLOOD_WAIT_X"), (flood.Value, flood.Tags["method"], flood.Tags["kind"], flood.Tags["error"]));
        var duration = Assert.Single(measurements, m => m.Instrument == "botresilience.mtproto.flood_wait.duration");
        Assert.Equal(7d, duration.Value);
        Assert.Single(measurements, m => m.Instrument == "botresilience.mtproto.retries" && Equals(m.Tags["kind"], "flood_wait"));
        Assert.Single(measurements, m => m.Instrument == "botresilience.mtproto.breaker.rejections");
        var outcomes = measurements.Where(m => m.Instrument == "botresilience.mtproto.invocations")
            .Select(m => $"{m.Tags["outcome"]}/{m.Tags["fallback"]}").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["broken_circuit/True", "success/False"], outcomes);
    }

    [Fact]
    public async Task A_throwing_FloodWaitObserved_handler_does_not_break_the_invocation()
    {
        var time = new ManualTimeProvider();
        using var invoker = new MTProtoInvoker(new MTProtoInvokerOptions(), time);
        invoker.FloodWaitObserved += (_, _) => throw new InvalidOperationException("bad observer");
        var service = new ScriptedService(time, n => n == 0 ? Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 2)) : Task.FromResult("ok"));

        var task = invoker.InvokeAsync("main", service.Call);
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal("ok", await task);
    }
}
