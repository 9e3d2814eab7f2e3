namespace BotResilience.CircuitBreaking;

/// <summary>The state of a <see cref="CircuitBreaker"/>.</summary>
public enum CircuitState
{
    /// <summary>Calls flow; outcomes are counted.</summary>
    Closed = 0,

    /// <summary>Calls are rejected until <see cref="CircuitBreakerOptions.BreakDuration"/> has passed since the circuit opened.</summary>
    Open = 1,

    /// <summary>
    /// The break is over: up to <see cref="CircuitBreakerOptions.HalfOpenProbes"/> probe calls are admitted; the
    /// first probe success closes the circuit, the first probe failure opens it again. Other calls are rejected.
    /// </summary>
    HalfOpen = 2,

    /// <summary>Manually opened by <see cref="CircuitBreaker.Isolate"/> (kill switch): everything is rejected until <see cref="CircuitBreaker.Reset"/>.</summary>
    Isolated = 3,
}
