using BotResilience.CircuitBreaking;
using BotResilience.DependencyInjection;
using BotResilience.Pipelines;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BotResilience.Tests.DependencyInjection;

public sealed class BotResilienceServiceCollectionTests
{
    [Fact]
    public async Task Registers_named_pipelines_limiters_breakers_and_shared_services()
    {
        var time = new ManualTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddBotResilience(b => b
            .AddSlidingWindowLimiter("per-second", o => { o.PermitLimit = 2; o.Window = TimeSpan.FromSeconds(1); })
            .AddTokenBucketLimiter("burst", o => { o.TokenLimit = 5; o.TokensPerPeriod = 1; o.ReplenishmentPeriod = TimeSpan.FromSeconds(1); })
            .AddKeyedSlidingWindowLimiter<long>("per-user", o => { o.PermitLimit = 10; o.Window = TimeSpan.FromMinutes(1); })
            .AddCircuitBreaker("bot-api", o => o.FailureThreshold = 2)
            .AddPipeline("send", (p, sp) => p
                .AddRateLimiter(sp.GetRequiredKeyedService<IRateLimiter>("per-second"), wait: false)
                .AddFloodGate(sp.GetRequiredService<IFloodGate>(), "bot")
                .AddCircuitBreaker(sp.GetRequiredKeyedService<CircuitBreaker>("bot-api"))));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var pipelines = provider.GetRequiredService<IResiliencePipelineProvider>();
        var send = pipelines.GetPipeline("send");
        Assert.Same(send, pipelines.GetPipeline("send"));
        Assert.Same(send, provider.GetRequiredKeyedService<ResiliencePipeline>("send"));
        Assert.Equal(1, await send.ExecuteAsync(static _ => new ValueTask<int>(1)));
        Assert.Equal(2, await send.ExecuteAsync(static _ => new ValueTask<int>(2)));
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => send.ExecuteAsync(static _ => new ValueTask<int>(3)).AsTask());
        Assert.Equal(TimeSpan.FromSeconds(1), rejected.RetryAfter); // the container's clock drives the limiter

        Assert.Same(provider.GetRequiredService<FloodGate>(), provider.GetRequiredService<IFloodGate>());
        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        var registry = provider.GetRequiredService<ICircuitBreakerRegistry>();
        Assert.Contains(registry.Breakers, b => b.Name == "bot-api");
        Assert.True(provider.GetRequiredKeyedService<IRateLimiter>("burst").TryAcquire(5).IsGranted);

        var missing = Assert.Throws<KeyNotFoundException>(() => pipelines.GetPipeline("nope"));
        Assert.Contains("send", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeProvider_System_is_registered_when_none_is_and_keyed_limiters_resolve()
    {
        var services = new ServiceCollection();
        services.AddBotResilience(b => b.AddKeyedSlidingWindowLimiter<long>("per-user", o => { o.PermitLimit = 1; o.Window = TimeSpan.FromMinutes(1); }));
        using var provider = services.BuildServiceProvider();
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        var perUser = provider.GetRequiredKeyedService<IKeyedRateLimiter<long>>("per-user");
        Assert.IsType<KeyedRateLimiter<long>>(perUser);
        Assert.True(perUser.TryAcquire(42).IsGranted);
        Assert.False(perUser.TryAcquire(42).IsGranted);
        Assert.True(perUser.TryAcquire(43).IsGranted);
    }

    [Fact]
    public void Duplicate_pipeline_names_are_rejected()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentException>(() => services.AddBotResilience(b => b
            .AddPipeline("a", (_, _) => { })
            .AddPipeline("a", (_, _) => { })));
        Assert.Contains("'a'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_limiter_configuration_fails_at_host_start_with_the_option_and_its_range()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddBotResilience(b => b.AddSlidingWindowLimiter("per-user", o => { o.PermitLimit = 0; o.Window = TimeSpan.FromSeconds(1); }));
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("per-user", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PermitLimit must be between 1 and", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_breaker_configuration_fails_at_host_start_with_a_clear_message()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddBotResilience(b => b.AddCircuitBreaker("ai", o => o.FailureThreshold = 0));
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Circuit breaker 'ai'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FailureThreshold", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Good_configuration_starts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddBotResilience(b => b
            .AddSlidingWindowLimiter("per-user", o => { o.PermitLimit = 10; o.Window = TimeSpan.FromMinutes(1); })
            .AddCircuitBreaker("ai"));
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}

public sealed class DependencyInjectionReadmeExampleTests
{
    [Fact]
    public async Task Readme_di_example_compiles_and_resolves()
    {
        var builder = Host.CreateApplicationBuilder();

        // --- README DI snippet start ---
        builder.Services.AddBotResilience(b => b
            .AddSlidingWindowLimiter("bot-global", o => { o.PermitLimit = 30; o.Window = TimeSpan.FromSeconds(1); })
            .AddCircuitBreaker("bot-api", o => o.FailureThreshold = 5)
            .AddPipeline("send", (p, sp) => p
                .AddTimeout(TimeSpan.FromSeconds(25))
                .AddFloodGate(sp.GetRequiredService<IFloodGate>(), "bot")
                .AddRetry(new RetryOptions { FloodGate = sp.GetRequiredService<IFloodGate>(), FloodGateScope = "bot" })
                .AddCircuitBreaker(sp.GetRequiredKeyedService<CircuitBreaker>("bot-api"))
                .AddRateLimiter(sp.GetRequiredKeyedService<IRateLimiter>("bot-global"))));
        // --- README DI snippet end ---

        using var host = builder.Build();
        await host.StartAsync();
        var pipeline = host.Services.GetRequiredService<IResiliencePipelineProvider>().GetPipeline("send");
        Assert.Equal(5, await pipeline.ExecuteAsync(static _ => new ValueTask<int>(5)));
        await host.StopAsync();
    }
}
