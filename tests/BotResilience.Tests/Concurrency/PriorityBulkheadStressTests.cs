using BotResilience.Concurrency;

namespace BotResilience.Tests.Concurrency;

public sealed class PriorityBulkheadStressTests
{
    [Fact]
    public async Task Concurrency_never_exceeds_the_limit_and_nothing_leaks_under_many_tasks()
    {
        const int limit = 3;
        var bulkhead = new PriorityBulkhead(new PriorityBulkheadOptions { Name = "stress", MaxConcurrency = limit, QueueLimit = 200 });
        var inside = 0;
        var maxInside = 0;
        var granted = 0;
        var rejected = 0;
        var canceled = 0;
        var tasks = Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource();
            if (i % 7 == 0)
            {
                cts.CancelAfter(TimeSpan.FromMilliseconds(i % 3));
            }

            try
            {
                using var lease = await bulkhead.AcquireAsync(priority: i % 4, cts.Token);
                var now = Interlocked.Increment(ref inside);
                int seen;
                while ((seen = Volatile.Read(ref maxInside)) < now && Interlocked.CompareExchange(ref maxInside, now, seen) != seen)
                {
                }

                await Task.Yield();
                Interlocked.Decrement(ref inside);
                Interlocked.Increment(ref granted);
            }
            catch (BulkheadRejectedException)
            {
                Interlocked.Increment(ref rejected);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref canceled);
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        Assert.InRange(maxInside, 1, limit);
        Assert.Equal(400, granted + rejected + canceled);
        Assert.True(granted > 0);
        Assert.Equal(0, bulkhead.CurrentCount);
        Assert.Equal(0, bulkhead.QueueLength);
        Assert.True(bulkhead.TryAcquire(0, out var probe));
        probe.Dispose();
    }

    [Fact]
    public async Task Cancellation_racing_a_grant_never_leaks_a_slot()
    {
        var bulkhead = new PriorityBulkhead(new PriorityBulkheadOptions { Name = "race", MaxConcurrency = 1, QueueLimit = 1 });
        var grants = 0;
        var cancels = 0;
        for (var i = 0; i < 500; i++)
        {
            Assert.True(bulkhead.TryAcquire(0, out var holder));
            using var cts = new CancellationTokenSource();
            var waiting = bulkhead.AcquireAsync(0, cts.Token).AsTask();
            var cancel = Task.Run(cts.Cancel);
            var release = Task.Run(holder.Dispose);
            await Task.WhenAll(cancel, release);
            try
            {
                (await waiting).Dispose();
                grants++;
            }
            catch (OperationCanceledException)
            {
                cancels++;
            }

            Assert.Equal(0, bulkhead.CurrentCount);
            Assert.Equal(0, bulkhead.QueueLength);
        }

        Assert.Equal(500, grants + cancels);
    }

    [Fact]
    public async Task Concurrent_double_dispose_releases_once()
    {
        var bulkhead = new PriorityBulkhead(new PriorityBulkheadOptions { Name = "double", MaxConcurrency = 2, QueueLimit = 0 });
        for (var i = 0; i < 300; i++)
        {
            Assert.True(bulkhead.TryAcquire(0, out var a));
            Assert.True(bulkhead.TryAcquire(0, out var b));
            await Task.WhenAll(Task.Run(a.Dispose), Task.Run(a.Dispose), Task.Run(a.Dispose));
            Assert.Equal(1, bulkhead.CurrentCount);
            Assert.True(b.IsActive);
            b.Dispose();
            Assert.Equal(0, bulkhead.CurrentCount);
        }
    }
}
