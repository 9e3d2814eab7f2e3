using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace BotResilience.CircuitBreaking;

/// <summary>
/// A thread-safe set of circuit breakers keyed by name (ordinal). Registered breakers are reported by the
/// <c>botresilience.circuitbreaker.state</c> gauge and can be listed by health checks.
/// </summary>
public sealed class CircuitBreakerRegistry : ICircuitBreakerRegistry
{
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="timeProvider">The clock given to breakers created by <see cref="GetOrAdd"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    public CircuitBreakerRegistry(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        CircuitBreakerMetrics.Track(this);
    }

    /// <inheritdoc />
    public IReadOnlyCollection<CircuitBreaker> Breakers => [.. _breakers.Values];

    /// <summary>The number of registered breakers.</summary>
    public int Count => _breakers.Count;

    /// <summary>Registers <paramref name="breaker"/> under its <see cref="CircuitBreaker.Name"/>.</summary>
    /// <param name="breaker">The breaker.</param>
    /// <exception cref="ArgumentException">A breaker with the same name is already registered.</exception>
    public void Add(CircuitBreaker breaker)
    {
        if (!TryAdd(breaker))
        {
            throw new ArgumentException($"A circuit breaker named '{breaker.Name}' is already registered.", nameof(breaker));
        }
    }

    /// <summary>Registers <paramref name="breaker"/> unless a breaker with the same name exists.</summary>
    /// <param name="breaker">The breaker.</param>
    /// <returns><see langword="true"/> when added.</returns>
    public bool TryAdd(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return _breakers.TryAdd(breaker.Name, breaker);
    }

    /// <summary>Returns the breaker named <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The breaker.</returns>
    /// <exception cref="KeyNotFoundException">No breaker has that name.</exception>
    public CircuitBreaker Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _breakers.TryGetValue(name, out var breaker)
            ? breaker
            : throw new KeyNotFoundException($"No circuit breaker named '{name}' is registered.");
    }

    /// <summary>Looks up the breaker named <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="breaker">The breaker when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out CircuitBreaker? breaker)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _breakers.TryGetValue(name, out breaker);
    }

    /// <summary>
    /// Returns the breaker named <paramref name="name"/>, creating it from <paramref name="options"/> (with the
    /// registry's clock) if it does not exist. The created breaker is named <paramref name="name"/> whatever
    /// <see cref="CircuitBreakerOptions.Name"/> says.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="options">Options for a new breaker; validated even when the breaker already exists.</param>
    /// <returns>The existing or new breaker.</returns>
    public CircuitBreaker GetOrAdd(string name, CircuitBreakerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (_breakers.TryGetValue(name, out var existing))
        {
            return existing;
        }

        return _breakers.GetOrAdd(name, new CircuitBreaker(options, _timeProvider, name));
    }

    /// <summary>Removes the breaker named <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when a breaker was removed.</returns>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _breakers.TryRemove(name, out _);
    }
}
