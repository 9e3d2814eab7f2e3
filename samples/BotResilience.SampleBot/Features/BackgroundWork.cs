using BotResilience.SampleBot.Observability;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Features;

/// <summary>
/// Fire-and-forget work that is never unobserved: every task is tracked, its exception logged and counted, and
/// shutdown waits for it (seed 001: "Future exception was never retrieved" froze a backend).
/// </summary>
public sealed class BackgroundWork : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SampleMetrics _metrics;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Creates the tracker.</summary>
    /// <param name="metrics">Metrics.</param>
    /// <param name="logger">Logger.</param>
    public BackgroundWork(SampleMetrics metrics, ILogger<BackgroundWork> logger)
    {
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Cancelled at shutdown.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Tasks running now.</summary>
    public int Count => _running.Count;

    /// <summary>Runs <paramref name="work"/> in the background.</summary>
    /// <param name="name">Name for logs.</param>
    /// <param name="work">Work.</param>
    public void Run(string name, Func<CancellationToken, Task> work)
    {
        Task task = Task.Run(async () =>
        {
            try
            {
                await work(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _metrics.HandlerErrors);
                _logger.LogError(ex, "background {Name} failed", name);
            }
        });
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(static (t, s) => ((System.Collections.Concurrent.ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _running, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for running work, then cancels the rest.</summary>
    /// <param name="timeout">Drain time.</param>
    public async Task DrainAsync(TimeSpan timeout)
    {
        Task all = Task.WhenAll(_running.Keys);
        if (await Task.WhenAny(all, Task.Delay(timeout)) != all)
        {
            await _stopping.CancelAsync();
            await Task.WhenAny(Task.WhenAll(_running.Keys), Task.Delay(TimeSpan.FromSeconds(5)));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAny(Task.WhenAll(_running.Keys), Task.Delay(TimeSpan.FromSeconds(5)));
        _stopping.Dispose();
    }
}
