using BotResilience.MTProto.Classification;
using BotResilience.MTProto.Tests.Fakes;
using BotResilience.Pipelines;
using BotResilience.Retry;
using BotResilience.Testing;
using TL;

namespace BotResilience.MTProto.Tests.Classification;

/// <summary>The classifier plugged into the core retry: FLOOD_WAIT_X is honoured exactly, long waits fail fast.</summary>
public sealed class CorePipelineIntegrationTests
{
    [Fact]
    public async Task Core_retry_with_the_MTProto_classifier_waits_exactly_X_then_fails_fast_above_the_threshold()
    {
        var time = new ManualTimeProvider();
        var options = new RetryOptions { UseJitter = false, Delay = TimeSpan.FromSeconds(1) };
        options.FloodWaitClassifiers.Add(MTProtoFloodWaitClassifier.Instance);
        var pipeline = new ResiliencePipelineBuilder(time).AddRetry(options).Build();
        var service = new ScriptedService(time, n => n switch
        {
            0 => Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 7)),
            1 => Task.FromException<string>(new RpcException(420, "FLOOD_WAIT_X", 3600)),
            _ => Task.FromResult("ok"),
        });

        var task = pipeline.ExecuteAsync(ct => new ValueTask<string>(service.Call(ct))).AsTask();
        await time.AdvanceUntilAsync(() => task.IsCompleted, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<FloodWaitException>(() => task);
        Assert.Equal(TimeSpan.FromSeconds(3600), ex.RetryAfter);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(7)], service.CallTimes);
    }
}
