namespace BotResilience.CircuitBreaking;

/// <summary>The set of named circuit breakers of an application, e.g. for health checks that report open breakers.</summary>
public interface ICircuitBreakerRegistry
{
    /// <summary>A snapshot of the registered breakers.</summary>
    IReadOnlyCollection<CircuitBreaker> Breakers { get; }
}
