using BotResilience.CircuitBreaking;
using BotResilience.Pipelines;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Tests.Retry;

namespace BotResilience.Tests.Pipelines;

/// <summary>Keeps the README example compiling and working.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Readme_pipeline_example_runs()
    {
        IFloodWaitClassifier telegramClassifier = new FakeFloodClassifier(); // in the README: the adapter's classifier
        var api = new EchoApi();
        var cancellationToken = CancellationToken.None;

        // --- README snippet start ---
        var gate = new FloodGate();
        var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(1) });
        var retry = new RetryOptions
        {
            MaxRetryAttempts = 3,
            FloodGate = gate,          // a 429 pauses every caller of the scope, not just this one
            FloodGateScope = "bot",
            OnRetry = args =>
            {
                Console.WriteLine($"retry {args.AttemptNumber} in {args.Delay} (flood wait: {args.IsFloodWait})");
                return ValueTask.CompletedTask;
            },
        };
        retry.FloodWaitClassifiers.Add(telegramClassifier);

        ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(TimeSpan.FromSeconds(25))                  // overall: a retry never sleeps past it
            .AddFloodGate(gate, "bot")                              // wait while the bot is paused
            .AddRetry(retry)                                        // flood waits honoured exactly, > 60 s fail fast
            .AddCircuitBreaker(new CircuitBreaker(new CircuitBreakerOptions { Name = "bot-api" }))
            .AddRateLimiter(limiter)                                // one permit per attempt
            .AddTimeout(TimeSpan.FromSeconds(10))                  // per attempt
            .Build();

        string reply = await pipeline.ExecuteAsync(
            static (state, ct) => state.Api.SendMessageAsync(state.ChatId, "hello", ct),
            (Api: api, ChatId: 42L),
            cancellationToken);
        // --- README snippet end ---

        Assert.Equal("42:hello", reply);
    }

    private sealed class EchoApi
    {
        public ValueTask<string> SendMessageAsync(long chatId, string text, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ValueTask<string>($"{chatId}:{text}");
        }
    }
}
