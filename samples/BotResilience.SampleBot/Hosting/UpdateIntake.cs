using System.Diagnostics;
using BotResilience.SampleBot.Features;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Telegram;
using BotResilience.Telegram.Dispatching;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Hosting;

/// <summary>
/// Where updates from the webhook or from long polling enter the bot, on the library's
/// <see cref="UpdateDispatcher{TUpdate}"/>: duplicates (same <c>update_id</c>) are dropped, updates of one chat run
/// in order, different chats run concurrently (bounded), and each handler gets a timeout (seed 004: 25 s) after
/// which it is abandoned. The per-user anti-spam stays in the bot (<see cref="AntiSpam"/>) because live-location
/// edits must not count as messages.
/// </summary>
public sealed class UpdateIntake : IAsyncDisposable
{
    private readonly UpdateDispatcher<Update> _dispatcher;
    private readonly SampleMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the intake.</summary>
    /// <param name="handler">Handler.</param>
    /// <param name="maxConcurrency">Handlers running at once.</param>
    /// <param name="timeout">Handler timeout.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="timeProvider">Clock.</param>
    public UpdateIntake(BotHandler handler, int maxConcurrency, TimeSpan timeout, SampleMetrics metrics, ILogger<UpdateIntake> logger, TimeProvider timeProvider)
    {
        _metrics = metrics;
        _logger = logger;
        _dispatcher = new UpdateDispatcher<Update>(
            async (update, ct) =>
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    await handler.HandleAsync(update, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _metrics.HandlerTimeouts);
                    _logger.LogWarning("WEBHOOK_HANDLER_TIMEOUT update {UpdateId} after {Timeout}", update.UpdateId, timeout);
                    throw;
                }
                finally
                {
                    _metrics.RecordHandler(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            },
            static u => u.UpdateId,
            static u => u.ChatId,
            static u => u.UserId,
            new UpdateDispatcherOptions { MaxConcurrency = maxConcurrency, QueueLimit = 10_000, HandlerTimeout = timeout, DeduplicationCapacity = 100_000, UserRateLimit = 0 },
            timeProvider,
            logger);
        _dispatcher.HandlerFaulted += (_, _) => Interlocked.Increment(ref _metrics.HandlerErrors);
    }

    /// <summary>Updates queued or running.</summary>
    public int InFlight => _dispatcher.QueueLength + _dispatcher.RunningCount;

    /// <summary>Hands an update to the dispatcher; returns false when it must be re-sent later (queue full or stopping).</summary>
    /// <param name="update">Update.</param>
    /// <param name="cancellationToken">Shutdown.</param>
    public async ValueTask<bool> DispatchAsync(Update update, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _metrics.UpdatesReceived);
        UpdateEnqueueResult result = await _dispatcher.EnqueueAsync(update, cancellationToken);
        switch (result)
        {
            case UpdateEnqueueResult.Duplicate:
                Interlocked.Increment(ref _metrics.DuplicateUpdates);
                return true;
            case UpdateEnqueueResult.QueueFull or UpdateEnqueueResult.Stopped:
                _logger.LogWarning("update {UpdateId} not accepted: {Result}", update.UpdateId, result);
                return false;
            default:
                return true;
        }
    }

    /// <summary>Waits until every accepted update was handled (polling acknowledges offsets after this).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    public Task WaitForIdleAsync(CancellationToken cancellationToken) => _dispatcher.WaitForIdleAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _dispatcher.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _dispatcher.DisposeAsync();
    }
}
