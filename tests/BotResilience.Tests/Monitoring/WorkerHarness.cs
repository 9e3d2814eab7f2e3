using System.Threading.Channels;
using BotResilience.Monitoring;
using BotResilience.Testing;

namespace BotResilience.Tests.Monitoring;

/// <summary>Records a worker's START/END events in order and lets a test await them (real-time bound, no sleeping on the happy path).</summary>
internal sealed class WorkerHarness
{
    private static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(10);
    private readonly Channel<EventArgs> _events = Channel.CreateUnbounded<EventArgs>();
    private readonly List<EventArgs> _all = [];

    public WorkerHarness(SupervisedWorker worker, ManualTimeProvider time)
    {
        Worker = worker;
        Time = time;
        worker.IterationStarted += (_, e) => Record(e);
        worker.IterationCompleted += (_, e) => Record(e);
    }

    public SupervisedWorker Worker { get; }

    public ManualTimeProvider Time { get; }

    public IReadOnlyList<EventArgs> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public async Task<WorkerIterationStartedEventArgs> NextStartAsync() =>
        Assert.IsType<WorkerIterationStartedEventArgs>(await _events.Reader.ReadAsync().AsTask().WaitAsync(WaitBound));

    public async Task<WorkerIterationCompletedEventArgs> NextEndAsync() =>
        Assert.IsType<WorkerIterationCompletedEventArgs>(await _events.Reader.ReadAsync().AsTask().WaitAsync(WaitBound));

    public bool HasPendingEvent => _events.Reader.TryPeek(out _);

    /// <summary>Waits until the worker has armed <paramref name="count"/> fake-time timers (its delay, its timeout, the work's delay).</summary>
    public async Task WaitForTimersAsync(int count)
    {
        var deadline = DateTime.UtcNow + WaitBound;
        while (Time.ActiveTimerCount != count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} active timers, saw {Time.ActiveTimerCount}.");
            }

            await Task.Delay(1);
        }
    }

    private void Record(EventArgs e)
    {
        lock (_all)
        {
            _all.Add(e);
        }

        _events.Writer.TryWrite(e);
    }
}
