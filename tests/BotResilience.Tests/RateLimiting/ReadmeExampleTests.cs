using System.Threading.RateLimiting;
using BotResilience.RateLimiting;

namespace BotResilience.Tests.RateLimiting;

/// <summary>Keeps the README example of README.md compiling and true.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Readme_example_runs()
    {
        long chatId = 42;
        var cancellationToken = CancellationToken.None;

        // --- README example start ---
        // Exact: no interval of one second ever sees more than 30 grants.
        var global = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromSeconds(1) });
        var decision = global.TryAcquire();
        if (!decision.IsGranted)
        {
            Console.WriteLine($"retry in {decision.RetryAfter}"); // the exact wait; nothing was consumed
        }

        // Per chat: 20 per minute, and at most 1 per second; idle chats are forgotten.
        using var perChat = new KeyedRateLimiter<long>(
        [
            new SlidingWindowLimiterOptions { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) },
            new TokenBucketLimiterOptions { TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1) },
        ]);
        var granted = await perChat.AcquireAsync(chatId, cancellationToken: cancellationToken); // waits, first in first out

        // Plug into ASP.NET Core rate limiting, Polly, or anything taking System.Threading.RateLimiting types.
        RateLimiter rateLimiter = global.AsRateLimiter();
        PartitionedRateLimiter<long> partitioned = perChat.AsPartitionedRateLimiter();
        // --- README example end ---

        Assert.True(decision.IsGranted);
        Assert.True(granted.IsGranted);
        Assert.False(perChat.TryAcquire(chatId).IsGranted);
        using var lease = rateLimiter.AttemptAcquire();
        Assert.True(lease.IsAcquired);
        using var refused = partitioned.AttemptAcquire(chatId);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero);
        rateLimiter.Dispose();
    }
}
