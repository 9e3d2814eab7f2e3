using BotResilience.RateLimiting;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Storage;
using BotResilience.SampleBot.Telegram;

namespace BotResilience.SampleBot.Features;

/// <summary>
/// Admin broadcast to every known user on the bulk lane. The bulk lane gets its own token bucket below the bot-wide
/// limit, so interactive replies keep head-room and the broadcast never causes a 429.
/// </summary>
public sealed class BroadcastService : IDisposable
{
    private readonly IBotStore _store;
    private readonly BotReplies _replies;
    private readonly SampleMetrics _metrics;
    private readonly TokenBucketLimiter _bulk;
    private int _active;
    private int _queued;

    /// <summary>Creates the service.</summary>
    /// <param name="store">Store.</param>
    /// <param name="replies">Sender.</param>
    /// <param name="messagesPerSecond">Bulk lane rate.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="time">Clock.</param>
    public BroadcastService(IBotStore store, BotReplies replies, int messagesPerSecond, SampleMetrics metrics, TimeProvider time)
    {
        _store = store;
        _replies = replies;
        _metrics = metrics;
        _bulk = new TokenBucketLimiter(new TokenBucketLimiterOptions { TokenLimit = messagesPerSecond, TokensPerPeriod = messagesPerSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 100_000 }, time);
    }

    /// <summary>Broadcasts running now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Broadcast messages not sent yet.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Starts a broadcast in the background; returns the recipient count.</summary>
    /// <param name="text">Text.</param>
    /// <param name="stopping">Application stopping token.</param>
    public async Task<int> StartAsync(string text, CancellationToken stopping)
    {
        IReadOnlyList<long> chats = await _store.GetUserChatIdsAsync(stopping);
        Interlocked.Increment(ref _active);
        Interlocked.Add(ref _queued, chats.Count);
        _ = Task.Run(async () =>
        {
            try
            {
                foreach (long chat in chats)
                {
                    RateLimitDecision d = await _bulk.AcquireAsync(1, stopping);
                    if (!d.IsGranted || !await _replies.SendAsync(chat, "📣 " + text, null, SendLane.Bulk, null, stopping))
                    {
                        Interlocked.Increment(ref _metrics.BroadcastFailed);
                    }
                    else
                    {
                        Interlocked.Increment(ref _metrics.BroadcastSent);
                    }

                    Interlocked.Decrement(ref _queued);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }, CancellationToken.None);
        return chats.Count;
    }

    /// <inheritdoc />
    public void Dispose() => _bulk.Dispose();
}
