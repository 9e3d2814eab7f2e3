using BotResilience.RateLimiting;

namespace BotResilience.MTProto.Tests.Invocation;

public sealed class MTProtoInvokerOptionsTests
{
    public static TheoryData<string, Action<MTProtoInvokerOptions>> InvalidOptions => new()
    {
        { "FloodWaitThreshold", o => o.FloodWaitThreshold = TimeSpan.FromSeconds(-1) },
        { "FloodWaitMargin", o => o.FloodWaitMargin = TimeSpan.FromSeconds(-1) },
        { "FloodWaitMargin", o => o.FloodWaitMargin = TimeSpan.FromHours(2) },
        { "MaxRetryAttempts", o => o.MaxRetryAttempts = -1 },
        { "MaxRetryAttempts", o => o.MaxRetryAttempts = 101 },
        { "RetryDelay", o => o.RetryDelay = TimeSpan.FromSeconds(-1) },
        { "TransportFloodDelay", o => o.TransportFloodDelay = TimeSpan.Zero },
        { "MaxTransportBackoff", o => o.MaxTransportBackoff = TimeSpan.FromSeconds(30) },
        { "Timeout", o => o.Timeout = TimeSpan.Zero },
        { "FailureThreshold", o => o.FailureThreshold = 0 },
        { "BreakDuration", o => o.BreakDuration = TimeSpan.Zero },
        { "HalfOpenProbes", o => o.HalfOpenProbes = 0 },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_rejected_at_construction_naming_the_option(string name, Action<MTProtoInvokerOptions> configure)
    {
        var options = new MTProtoInvokerOptions();
        configure(options);

        var ex = Assert.ThrowsAny<ArgumentException>(() => new MTProtoInvoker(options));
        Assert.IsType<ArgumentOutOfRangeException>(ex);
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_limits_without_a_limiter_are_rejected()
    {
        var options = new MTProtoInvokerOptions();
        options.Limits.Clear();

        var ex = Assert.Throws<ArgumentException>(() => new MTProtoInvoker(options));
        Assert.Equal("Limits", ex.ParamName);
    }

    [Fact]
    public void Defaults_are_seed_001s_plan_and_options_are_copied()
    {
        var options = new MTProtoInvokerOptions();

        Assert.Collection(
            options.Limits,
            l => Assert.Equal((10, TimeSpan.FromSeconds(1)), (((SlidingWindowLimiterOptions)l).PermitLimit, ((SlidingWindowLimiterOptions)l).Window)),
            l => Assert.Equal((200, TimeSpan.FromMinutes(1)), (((SlidingWindowLimiterOptions)l).PermitLimit, ((SlidingWindowLimiterOptions)l).Window)));
        Assert.Equal(TimeSpan.FromSeconds(60), options.FloodWaitThreshold);
        Assert.Equal(TimeSpan.Zero, options.FloodWaitMargin);
        Assert.Equal(3, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), options.TransportFloodDelay);
        Assert.Equal(TimeSpan.FromSeconds(300), options.MaxTransportBackoff);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.Equal((5, TimeSpan.FromSeconds(300), 1), (options.FailureThreshold, options.BreakDuration, options.HalfOpenProbes));
        Assert.False(options.FloodWaitsCountAsFailures);
        Assert.False(options.PauseMethodScope);

        using var invoker = new MTProtoInvoker(options);
        options.MaxRetryAttempts = -5; // changing the options afterwards does not affect (or break) the invoker
        Assert.Equal(BotResilience.CircuitBreaking.CircuitState.Closed, invoker.GetCircuitState("main"));
    }
}
