using System.Diagnostics;
using BotResilience.SampleBot.Features;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Telegram;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Hosting;

/// <summary>
/// Where updates from the webhook or from long polling enter the bot: duplicates (same <c>update_id</c>) are
/// dropped, updates of one chat run in order, different chats run concurrently (bounded), and each handler gets a
/// timeout after which the update is acknowledged anyway (seed 004: 25 s, still 200).
/// </summary>
public sealed class UpdateIntake : IDisposable
{
    private readonly BotHandler _handler;
    private readonly SampleMetrics _metrics;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _concurrency;
    private readonly Lock _lock = new();
    private readonly HashSet<long> _seen = [];
    private readonly Queue<long> _seenOrder = new();
    private readonly Dictionary<long, Task> _chatTails = [];
    private readonly int _seenCapacity;
    private int _inFlight;

    /// <summary>Creates the intake.</summary>
    /// <param name="handler">Handler.</param>
    /// <param name="maxConcurrency">Handlers running at once.</param>
    /// <param name="timeout">Handler timeout.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="dedupeCapacity">Update ids remembered for de-duplication.</param>
    public UpdateIntake(BotHandler handler, int maxConcurrency, TimeSpan timeout, SampleMetrics metrics, ILogger<UpdateIntake> logger, int dedupeCapacity = 100_000)
    {
        _handler = handler;
        _timeout = timeout;
        _metrics = metrics;
        _logger = logger;
        _seenCapacity = dedupeCapacity;
        _concurrency = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    /// <summary>Updates being handled or waiting for their chat.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Handles an update; completes when it was handled, dropped, or timed out (never throws).</summary>
    /// <param name="update">Update.</param>
    /// <param name="cancellationToken">Shutdown.</param>
    public Task DispatchAsync(Update update, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _metrics.UpdatesReceived);
        long chat = update.ChatId ?? 0;
        Task previous;
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (!_seen.Add(update.UpdateId))
            {
                Interlocked.Increment(ref _metrics.DuplicateUpdates);
                return Task.CompletedTask;
            }

            _seenOrder.Enqueue(update.UpdateId);
            if (_seenOrder.Count > _seenCapacity)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }

            previous = _chatTails.TryGetValue(chat, out Task? tail) ? tail : Task.CompletedTask;
            _chatTails[chat] = done.Task;
        }

        Interlocked.Increment(ref _inFlight);
        return RunAsync(update, chat, previous, done, cancellationToken);
    }

    private async Task RunAsync(Update update, long chat, Task previous, TaskCompletionSource done, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await previous;
            await _concurrency.WaitAsync(cancellationToken);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_timeout);
                Task handling = _handler.HandleAsync(update, timeout.Token);
                try
                {
                    await handling.WaitAsync(_timeout, cancellationToken);
                }
                catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
                {
                    // seed 004: give up on the handler, acknowledge the update anyway (Telegram must not re-send it)
                    Interlocked.Increment(ref _metrics.HandlerTimeouts);
                    _logger.LogWarning("WEBHOOK_HANDLER_TIMEOUT update {UpdateId} after {Timeout}", update.UpdateId, _timeout);
                    _ = handling.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
            finally
            {
                _concurrency.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _metrics.HandlerErrors);
            _logger.LogError(ex, "handler failed for update {UpdateId}", update.UpdateId);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _metrics.RecordHandler(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            done.TrySetResult();
            lock (_lock)
            {
                if (_chatTails.TryGetValue(chat, out Task? tail) && tail == done.Task)
                {
                    _chatTails.Remove(chat);
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _concurrency.Dispose();
}
