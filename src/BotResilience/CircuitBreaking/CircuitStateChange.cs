namespace BotResilience.CircuitBreaking;

/// <summary>Describes one transition of a <see cref="CircuitBreaker"/> from one state to another.</summary>
public sealed class CircuitStateChange
{
    /// <summary>Creates a description of a transition.</summary>
    /// <param name="name">The name of the breaker.</param>
    /// <param name="from">The state before the transition.</param>
    /// <param name="to">The state after the transition.</param>
    /// <param name="changedAt">When the transition happened (UTC, from the breaker's <see cref="TimeProvider"/>).</param>
    public CircuitStateChange(string name, CircuitState from, CircuitState to, DateTimeOffset changedAt)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        From = from;
        To = to;
        ChangedAt = changedAt;
    }

    /// <summary>The name of the breaker (<see cref="CircuitBreakerOptions.Name"/>).</summary>
    public string Name { get; }

    /// <summary>The state before the transition.</summary>
    public CircuitState From { get; }

    /// <summary>The state after the transition.</summary>
    public CircuitState To { get; }

    /// <summary>When the transition happened (UTC wall clock of the breaker's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset ChangedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {From} -> {To} at {ChangedAt:O}";
}
