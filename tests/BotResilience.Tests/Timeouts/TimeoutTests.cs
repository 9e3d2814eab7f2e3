using BotResilience.Pipelines;
using BotResilience.Testing;
using BotResilience.Tests.Retry;
using BotResilience.Timeouts;

namespace BotResilience.Tests.Timeouts;

public sealed class TimeoutTests
{
    [Fact]
    public async Task Timeout_cancels_the_operation_token_and_throws_TimeoutRejectedException()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder(time).AddTimeout(TimeSpan.FromSeconds(5)).Build();
        CancellationToken seen = default;
        var run = pipeline.ExecuteAsync(async ct =>
        {
            seen = ct;
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 1;
        }).AsTask();
        time.Step(TimeSpan.FromSeconds(4.9));
        Assert.False(run.IsCompleted);
        time.Step(TimeSpan.FromSeconds(0.1));
        var ex = await Assert.ThrowsAsync<TimeoutRejectedException>(() => run);
        Assert.Equal(TimeSpan.FromSeconds(5), ex.Timeout);
        Assert.True(seen.IsCancellationRequested);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task Caller_cancellation_propagates_as_OperationCanceledException_with_the_callers_token()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder(time).AddTimeout(TimeSpan.FromSeconds(5)).Build();
        using var caller = new CancellationTokenSource();
        var run = pipeline.ExecuteAsync(async ct =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 1;
        }, caller.Token).AsTask();
        await caller.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.IsNotType<TimeoutRejectedException>(ex);
        Assert.Equal(caller.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task Success_before_the_timeout_returns_the_result_and_leaves_no_timer()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder(time).AddTimeout(TimeSpan.FromSeconds(5)).Build();
        Assert.Equal(7, await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 7));
        Assert.Equal(0, time.ActiveTimerCount);
        time.Step(TimeSpan.FromSeconds(10));
        Assert.Equal(8, await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 8));
    }

    [Fact]
    public async Task Pooled_token_sources_are_not_cancelled_by_an_earlier_execution()
    {
        var time = new ManualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder(time).AddTimeout(TimeSpan.FromSeconds(1)).Build();
        for (var i = 0; i < 5; i++)
        {
            await pipeline.ExecuteAsync(static (_, _) => new ValueTask<int>(1), 0);
        }

        time.Step(TimeSpan.FromSeconds(2));
        var run = pipeline.ExecuteAsync(async ct =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
            return 2;
        }).AsTask();
        time.Step(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, await run);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Non_positive_timeout_is_rejected_with_the_range(int seconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(seconds)));
        Assert.Equal("timeout", ex.ParamName);
        Assert.Contains("greater than zero", ex.Message, StringComparison.Ordinal);
    }
}
