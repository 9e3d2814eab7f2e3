using BotResilience.CircuitBreaking;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BotResilience.Monitoring;

/// <summary>
/// Reports the circuit breakers of an <see cref="ICircuitBreakerRegistry"/>: while any is <see cref="CircuitState.Open"/>
/// or <see cref="CircuitState.Isolated"/> the result is the configured status (Degraded by default: the bot still answers,
/// from fallbacks, while a dependency is cut off), Healthy otherwise. Data: each breaker's state.
/// </summary>
public sealed class CircuitBreakerHealthCheck : IHealthCheck
{
    private readonly ICircuitBreakerRegistry _registry;
    private readonly HealthStatus _openStatus;

    /// <summary>Creates the check.</summary>
    /// <param name="registry">The breakers to report.</param>
    /// <param name="openCircuitStatus">The status while a breaker is open or isolated; Degraded by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="openCircuitStatus"/> is not a defined <see cref="HealthStatus"/>.</exception>
    public CircuitBreakerHealthCheck(ICircuitBreakerRegistry registry, HealthStatus openCircuitStatus = HealthStatus.Degraded)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (!Enum.IsDefined(openCircuitStatus))
        {
            throw new ArgumentOutOfRangeException(nameof(openCircuitStatus), openCircuitStatus, "openCircuitStatus must be Unhealthy, Degraded or Healthy.");
        }

        _registry = registry;
        _openStatus = openCircuitStatus;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var breakers = _registry.Breakers;
        var data = new Dictionary<string, object>(breakers.Count);
        List<string>? broken = null;
        foreach (var breaker in breakers)
        {
            var state = breaker.State;
            data[breaker.Name] = state.ToString();
            if (state is CircuitState.Open or CircuitState.Isolated)
            {
                (broken ??= []).Add($"{breaker.Name} ({state})");
            }
        }

        var result = broken is null
            ? HealthCheckResult.Healthy($"{breakers.Count} circuit breakers, none open.", data)
            : new HealthCheckResult(_openStatus, "Circuit breakers open or isolated: " + string.Join(", ", broken) + ".", data: data);
        return Task.FromResult(result);
    }
}
