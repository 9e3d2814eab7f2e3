using BotResilience.CircuitBreaking;
using BotResilience.Testing;

namespace BotResilience.Tests.CircuitBreaking;

public sealed class CircuitBreakerRegistryTests
{
    [Fact]
    public void Add_Get_and_duplicates()
    {
        var registry = new CircuitBreakerRegistry();
        var breaker = new CircuitBreaker(new CircuitBreakerOptions { Name = "telegram" });
        registry.Add(breaker);
        Assert.Same(breaker, registry.Get("telegram"));
        Assert.True(registry.TryGet("telegram", out var found));
        Assert.Same(breaker, found);
        Assert.False(registry.TryGet("other", out _));
        Assert.Throws<KeyNotFoundException>(() => registry.Get("other"));
        Assert.Throws<ArgumentException>(() => registry.Add(new CircuitBreaker(new CircuitBreakerOptions { Name = "telegram" })));
        Assert.False(registry.TryAdd(new CircuitBreaker(new CircuitBreakerOptions { Name = "telegram" })));
        Assert.Single(registry.Breakers);
        Assert.True(registry.Remove("telegram"));
        Assert.Empty(registry.Breakers);
    }

    [Fact]
    public void GetOrAdd_creates_once_with_the_registry_clock_and_the_given_name()
    {
        var time = new ManualTimeProvider();
        var registry = new CircuitBreakerRegistry(time);
        var options = new CircuitBreakerOptions { Name = "ignored", FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(5) };
        var breaker = registry.GetOrAdd("ai", options);
        Assert.Equal("ai", breaker.Name);
        Assert.Same(breaker, registry.GetOrAdd("ai", new CircuitBreakerOptions()));
        breaker.Enter();
        breaker.RecordFailure();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CircuitState.HalfOpen, breaker.State); // the registry's ManualTimeProvider drives it
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.GetOrAdd("bad", new CircuitBreakerOptions { HalfOpenProbes = 0 }));
        Assert.Throws<ArgumentException>(() => registry.GetOrAdd("", options));
    }

    [Fact]
    public void Breakers_lets_health_checks_find_open_circuits()
    {
        ICircuitBreakerRegistry registry = CreateWithOneOpen();
        var open = registry.Breakers.Where(b => b.State != CircuitState.Closed).Select(b => b.Name).ToList();
        Assert.Equal(["db"], open);
    }

    [Fact]
    public async Task Concurrent_GetOrAdd_returns_one_instance()
    {
        var registry = new CircuitBreakerRegistry();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => registry.GetOrAdd("shared", new CircuitBreakerOptions()))));
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal(1, registry.Count);
    }

    private static CircuitBreakerRegistry CreateWithOneOpen()
    {
        var registry = new CircuitBreakerRegistry();
        registry.GetOrAdd("api", new CircuitBreakerOptions());
        var db = registry.GetOrAdd("db", new CircuitBreakerOptions { FailureThreshold = 1 });
        db.Enter();
        db.RecordFailure();
        return registry;
    }
}
