using System.Globalization;
using BotResilience.SampleBot.Features;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Simulation;
using BotResilience.SampleBot.Storage;
using BotResilience.SampleBot.Telegram;
using Microsoft.Extensions.Logging;

namespace BotResilience.SampleBot.Orders;

/// <summary>Settings of the order job runner.</summary>
/// <param name="Workers">Concurrent jobs.</param>
/// <param name="MaxAttempts">Attempts per order.</param>
/// <param name="RetryDelay">Backoff base (doubles per attempt).</param>
/// <param name="Lease">Lease; a running job whose owner died is re-claimed after it.</param>
/// <param name="AttemptTimeout">Timeout of one label generation.</param>
/// <param name="PollInterval">How often idle workers look for due jobs.</param>
public sealed record OrderJobSettings(int Workers, int MaxAttempts, TimeSpan RetryDelay, TimeSpan Lease, TimeSpan AttemptTimeout, TimeSpan PollInterval);

/// <summary>
/// Seeds 000 and 003: durable background jobs. Workers claim due jobs atomically in SQLite (pending, or running
/// with an expired lease), generate the label outside any transaction, then record done / retry / failed only if
/// they still own the lease. A notifier sends the outcome from an outbox, after commit. Pending and orphaned jobs
/// resume after a restart; the claim makes sure no job runs twice at once.
/// </summary>
public sealed class OrderJobRunner : IAsyncDisposable
{
    private readonly IBotStore _store;
    private readonly SimulatedLabelGenerator _labels;
    private readonly BotReplies _replies;
    private readonly SampleMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly OrderJobSettings _settings;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly List<Task> _loops = [];
    private int _running;

    /// <summary>Creates the runner (call <see cref="Start"/>).</summary>
    /// <param name="store">Store.</param>
    /// <param name="labels">Label generator.</param>
    /// <param name="replies">Sender.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="settings">Settings.</param>
    /// <param name="time">Clock.</param>
    /// <param name="logger">Logger.</param>
    public OrderJobRunner(IBotStore store, SimulatedLabelGenerator labels, BotReplies replies, SampleMetrics metrics, OrderJobSettings settings, TimeProvider time, ILogger<OrderJobRunner> logger)
    {
        _store = store;
        _labels = labels;
        _replies = replies;
        _metrics = metrics;
        _settings = settings;
        _time = time;
        _logger = logger;
        Owner = "worker-" + Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>This instance's lease owner id.</summary>
    public string Owner { get; }

    /// <summary>Jobs running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>When true, stopping abandons running jobs without releasing them (simulates a crash in tests).</summary>
    public bool SimulateCrashOnStop { get; set; }

    /// <summary>Starts the workers and the notifier.</summary>
    public void Start()
    {
        for (int i = 0; i < _settings.Workers; i++)
        {
            _loops.Add(Task.Run(() => WorkLoopAsync(_stop.Token)));
        }

        _loops.Add(Task.Run(() => NotifyLoopAsync(_stop.Token)));
    }

    /// <summary>Wakes an idle worker (a new order was stored).</summary>
    public void Nudge() => _wake.Release();

    private async Task WorkLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            OrderRecord? job = null;
            try
            {
                job = await _store.TryClaimOrderAsync(Owner, _time.GetUtcNow(), _settings.Lease, ct);
                if (job is null)
                {
                    await _wake.WaitAsync(_settings.PollInterval, ct);
                    continue;
                }

                await RunJobAsync(job, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                if (job is not null && !SimulateCrashOnStop)
                {
                    await _store.ReleaseOrderAsync(job.Id, Owner, _time.GetUtcNow(), CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "order worker iteration failed");
                await Task.Delay(_settings.PollInterval, _time, CancellationToken.None);
            }
        }
    }

    private async Task RunJobAsync(OrderRecord job, CancellationToken ct)
    {
        Interlocked.Increment(ref _running);
        try
        {
            using var renew = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task renewing = RenewLoopAsync(job.Id, renew.Token);
            string? label = null;
            string? error = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(_settings.AttemptTimeout);
                try
                {
                    label = await _labels.GenerateAsync(job.Id, timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    error = "label generation timed out";
                }
                catch (SimulatedDependencyException ex)
                {
                    error = ex.Message;
                }
            }

            await renew.CancelAsync();
            await renewing;
            if (ct.IsCancellationRequested && SimulateCrashOnStop)
            {
                throw new OperationCanceledException(ct);
            }

            DateTimeOffset now = _time.GetUtcNow();
            if (label is not null)
            {
                if (await _store.CompleteOrderAsync(job.Id, Owner, label, now, CancellationToken.None))
                {
                    Interlocked.Increment(ref _metrics.OrdersDone);
                }
            }
            else
            {
                Interlocked.Increment(ref _metrics.OrderAttemptFailures);
                bool final = job.Attempts >= _settings.MaxAttempts;
                TimeSpan backoff = _settings.RetryDelay * Math.Pow(2, job.Attempts - 1);
                if (await _store.FailAttemptAsync(job.Id, Owner, error ?? "unknown", final, now + backoff, now, CancellationToken.None) && final)
                {
                    Interlocked.Increment(ref _metrics.OrdersFailed);
                }
            }

            Nudge();
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task RenewLoopAsync(long orderId, CancellationToken ct)
    {
        TimeSpan every = _settings.Lease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, _time, ct);
                await _store.RenewLeaseAsync(orderId, Owner, _time.GetUtcNow() + _settings.Lease, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task NotifyLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                IReadOnlyList<OrderRecord> finished = await _store.GetUnnotifiedFinishedOrdersAsync(50, ct);
                foreach (OrderRecord o in finished)
                {
                    string text = o.Status == OrderStatus.Done
                        ? string.Create(CultureInfo.InvariantCulture, $"✅ Order #{o.Id} ({o.Item}) is ready: label {o.Label}")
                        : string.Create(CultureInfo.InvariantCulture, $"❌ Order #{o.Id} ({o.Item}) failed after {o.Attempts} attempts: {o.Error}. We will contact you.");

                    // HTTP after the commit, never inside a transaction (seed 004); outbox = at-least-once.
                    if (await _replies.SendAsync(o.ChatId, text, null, SendLane.Bulk, null, ct))
                    {
                        await _store.MarkNotifiedAsync(o.Id, ct);
                    }
                }

                if (finished.Count == 0)
                {
                    await Task.Delay(_settings.PollInterval, _time, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "order notifier failed");
                await Task.Delay(_settings.PollInterval, _time, CancellationToken.None);
            }
        }
    }

    /// <summary>Stops the workers; running jobs are released (or abandoned when simulating a crash).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_loops);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _wake.Dispose();
    }
}
