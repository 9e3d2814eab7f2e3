using System.Diagnostics.Metrics;
using BotResilience.Telemetry;

namespace BotResilience.CircuitBreaking;

/// <summary>
/// Instruments of the circuit breakers, on <see cref="ResilienceTelemetry.Meter"/>. Counters are only touched when a
/// listener enabled them; the state gauge is only computed when observed.
/// </summary>
internal static class CircuitBreakerMetrics
{
    /// <summary>State transitions; tags <c>name</c>, <c>from</c>, <c>to</c>.</summary>
    public static readonly Counter<long> Transitions = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.circuitbreaker.transitions", "{transition}", "Circuit breaker state transitions.");

    /// <summary>Rejected calls; tags <c>name</c>, <c>state</c>.</summary>
    public static readonly Counter<long> Rejections = ResilienceTelemetry.Meter.CreateCounter<long>(
        "botresilience.circuitbreaker.rejections", "{call}", "Calls rejected by an open, half-open or isolated circuit breaker.");

    private static readonly Lock s_lock = new();
    private static readonly List<WeakReference<CircuitBreakerRegistry>> s_registries = [];

    /// <summary>State of every breaker of every live registry (0 closed, 1 open, 2 half-open, 3 isolated); tag <c>name</c>.</summary>
    public static readonly ObservableGauge<int> State = ResilienceTelemetry.Meter.CreateObservableGauge(
        "botresilience.circuitbreaker.state", ObserveStates, "{state}", "Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 isolated.");

    public static string ToTag(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "unknown",
    };

    public static void Track(CircuitBreakerRegistry registry)
    {
        lock (s_lock)
        {
            s_registries.RemoveAll(static r => !r.TryGetTarget(out _));
            s_registries.Add(new WeakReference<CircuitBreakerRegistry>(registry));
        }
    }

    private static List<Measurement<int>> ObserveStates()
    {
        List<CircuitBreakerRegistry> live = [];
        lock (s_lock)
        {
            s_registries.RemoveAll(r =>
            {
                if (r.TryGetTarget(out var registry))
                {
                    live.Add(registry);
                    return false;
                }

                return true;
            });
        }

        List<Measurement<int>> measurements = [];
        foreach (var registry in live)
        {
            foreach (var breaker in registry.Breakers)
            {
                measurements.Add(new Measurement<int>((int)breaker.State, new KeyValuePair<string, object?>("name", breaker.Name)));
            }
        }

        return measurements;
    }
}
