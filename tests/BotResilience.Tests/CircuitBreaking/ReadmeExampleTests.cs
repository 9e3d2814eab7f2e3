using BotResilience.CircuitBreaking;
using BotResilience.Concurrency;

namespace BotResilience.Tests.CircuitBreaking;

/// <summary>Keeps the README example of README.md compiling and working.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Readme_example_runs()
    {
        var replies = await ReadmeExample.RunAsync();
        Assert.Equal("fresh", replies[0]);
        Assert.Equal("cached (MTProto unavailable, retry in 300 s)", replies[6]);
        Assert.Equal(["ai answer", "open: mtproto"], replies[7..]);
    }

    private static class ReadmeExample
    {
        // --- README example (README.md) ---
        public static async Task<List<string>> RunAsync()
        {
            var registry = new CircuitBreakerRegistry();
            var telegram = registry.GetOrAdd("mtproto", new CircuitBreakerOptions
            {
                FailureThreshold = 5,                         // 5 failures in a row ...
                BreakDuration = TimeSpan.FromSeconds(300),    // ... open for 300 s, then one probe
                OnStateChanged = change => Console.WriteLine(change),
            });
            var aiApi = new PriorityBulkhead(new PriorityBulkheadOptions { Name = "ai", MaxConcurrency = 3, QueueLimit = 50 });

            var replies = new List<string>();
            for (var i = 0; i < 7; i++)
            {
                // Execution-free API: TryEnter, then report the outcome.
                if (!telegram.TryEnter(out var retryAfter))
                {
                    replies.Add($"cached (MTProto unavailable, retry in {retryAfter.TotalSeconds:0} s)");
                    continue;
                }

                try
                {
                    replies.Add(await FetchAsync(fail: i > 0));
                    telegram.RecordSuccess();
                }
                catch (Exception ex) when (telegram.IsFailure(ex))
                {
                    telegram.RecordFailure();
                    replies.Add("cached");
                }
            }

            // Priority bulkhead: at most 3 AI calls at once, premium users (priority 0) first, "overloaded" when full.
            try
            {
                using var lease = await aiApi.AcquireAsync(priority: 0);
                replies.Add("ai answer");
            }
            catch (BulkheadRejectedException)
            {
                replies.Add("overloaded, try later");
            }

            // Kill switch and health checks.
            telegram.Isolate();
            var open = registry.Breakers.Where(b => b.State != CircuitState.Closed).Select(b => b.Name);
            replies.Add($"open: {string.Join(", ", open)}");
            telegram.Reset();

            return replies;
        }

        private static ValueTask<string> FetchAsync(bool fail) =>
            fail ? ValueTask.FromException<string>(new HttpRequestException("FLOOD")) : ValueTask.FromResult("fresh");
        // --- end of README example ---
    }
}
