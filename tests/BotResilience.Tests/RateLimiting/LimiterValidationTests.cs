using BotResilience.RateLimiting;

namespace BotResilience.Tests.RateLimiting;

public sealed class LimiterValidationTests
{
    public static TheoryData<string, Func<object>> InvalidOptions => new()
    {
        { "PermitLimit", () => new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 0 }) },
        { "Window", () => new SlidingWindowLimiter(new SlidingWindowLimiterOptions { Window = TimeSpan.Zero }) },
        { "QueueLimit", () => new SlidingWindowLimiter(new SlidingWindowLimiterOptions { QueueLimit = -1 }) },
        { "TokenLimit", () => new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 0 }) },
        { "TokensPerPeriod", () => new TokenBucketLimiter(new TokenBucketLimiterOptions { TokensPerPeriod = 0 }) },
        { "ReplenishmentPeriod", () => new TokenBucketLimiter(new TokenBucketLimiterOptions { ReplenishmentPeriod = TimeSpan.FromSeconds(-1) }) },
        { "QueueLimit", () => new TokenBucketLimiter(new TokenBucketLimiterOptions { QueueLimit = -5 }) },
        { "PermitLimit", () => new CompositeLimiter([new TokenBucketLimiterOptions(), new SlidingWindowLimiterOptions { PermitLimit = -1 }]) },
        { "Window", () => new KeyedRateLimiter<int>(new SlidingWindowLimiterOptions { Window = TimeSpan.FromTicks(-1) }) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Options_are_validated_at_construction_naming_the_option_and_the_range(string option, Func<object> create)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(option, error.ParamName);
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains("between", StringComparison.Ordinal) || error.Message.Contains("greater than zero", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void Requests_the_limit_can_never_grant_are_rejected_naming_permits_and_the_limit()
    {
        var window = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 3 });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => window.TryAcquire(4));
        Assert.Equal("permits", error.ParamName);
        Assert.Contains("PermitLimit", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => window.TryAcquire(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.AcquireAsync(-1));

        var bucket = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = 2 });
        Assert.Contains("TokenLimit", Assert.Throws<ArgumentOutOfRangeException>(() => bucket.TryAcquire(3)).Message, StringComparison.Ordinal);
        var composite = new CompositeLimiter([new TokenBucketLimiterOptions { TokenLimit = 5 }, new SlidingWindowLimiterOptions { PermitLimit = 2 }]);
        Assert.Throws<ArgumentOutOfRangeException>(() => composite.TryAcquire(3));
        var keyed = new KeyedRateLimiter<string>(new SlidingWindowLimiterOptions { PermitLimit = 2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => keyed.TryAcquire("k", 3));
        Assert.Equal(0, keyed.TrackedKeyCount); // nothing created for a rejected request
    }

    [Fact]
    public void Empty_or_null_definitions_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new CompositeLimiter([]));
        Assert.Throws<ArgumentException>(() => new CompositeLimiter([null!]));
        Assert.Throws<ArgumentNullException>(() => new SlidingWindowLimiter(null!));
        Assert.Throws<ArgumentNullException>(() => new KeyedRateLimiter<int>((RateLimitOptions)null!));
    }

    [Fact]
    public void Options_are_copied_at_construction()
    {
        var options = new SlidingWindowLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1) };
        var limiter = new SlidingWindowLimiter(options);
        options.PermitLimit = 100;
        Assert.True(limiter.TryAcquire().IsGranted);
        Assert.False(limiter.TryAcquire().IsGranted);
    }
}
