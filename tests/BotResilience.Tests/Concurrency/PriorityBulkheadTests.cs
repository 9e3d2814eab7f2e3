using BotResilience.Concurrency;
using BotResilience.Testing;

namespace BotResilience.Tests.Concurrency;

public sealed class PriorityBulkheadTests
{
    private readonly ManualTimeProvider _time = new();

    private PriorityBulkhead Create(int maxConcurrency = 1, int queueLimit = 10) =>
        new(new PriorityBulkheadOptions { Name = "ai", MaxConcurrency = maxConcurrency, QueueLimit = queueLimit }, _time);

    [Fact]
    public void Defaults_match_the_seed_numbers()
    {
        var options = new PriorityBulkheadOptions();
        Assert.Equal(3, options.MaxConcurrency);
        Assert.Equal(50, options.QueueLimit);
        Assert.Equal("default", options.Name);
    }

    [Fact]
    public async Task Free_slots_are_granted_synchronously_up_to_max_concurrency()
    {
        var bulkhead = Create(maxConcurrency: 3);
        var leases = new List<BulkheadLease>();
        for (var i = 0; i < 3; i++)
        {
            var pending = bulkhead.AcquireAsync();
            Assert.True(pending.IsCompletedSuccessfully);
            leases.Add(await pending);
        }

        Assert.Equal(3, bulkhead.CurrentCount);
        Assert.False(bulkhead.TryAcquire(0, out var none));
        Assert.False(none.IsActive);
        var waiting = bulkhead.AcquireAsync();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, bulkhead.QueueLength);

        leases[0].Dispose();
        var handed = await waiting;
        Assert.True(handed.IsActive);
        Assert.Equal(3, bulkhead.CurrentCount);
        Assert.Equal(0, bulkhead.QueueLength);
    }

    [Fact]
    public async Task Waiters_are_served_by_priority_then_arrival()
    {
        var bulkhead = Create();
        Assert.True(bulkhead.TryAcquire(0, out var holder));
        var order = new List<string>();
        var pending = new (string Name, int Priority)[] { ("low-1", 5), ("high-1", 1), ("mid-1", 3), ("high-2", 1), ("low-2", 5), ("top", -2) }
            .Select(w => (w.Name, Task: bulkhead.AcquireAsync(w.Priority).AsTask()))
            .ToList();
        Assert.Equal(6, bulkhead.QueueLength);

        var current = holder;
        for (var i = 0; i < pending.Count; i++)
        {
            current.Dispose();
            var done = await Task.WhenAny(pending.Where(p => !order.Contains(p.Name)).Select(p => p.Task));
            var winner = pending.Single(p => p.Task == done);
            order.Add(winner.Name);
            current = await done;
            Assert.Equal(1, bulkhead.CurrentCount);
        }

        current.Dispose();
        Assert.Equal(["top", "high-1", "high-2", "mid-1", "low-1", "low-2"], order);
        Assert.Equal(0, bulkhead.CurrentCount);
    }

    [Fact]
    public async Task A_full_queue_rejects_immediately_with_a_typed_exception()
    {
        var bulkhead = Create(maxConcurrency: 1, queueLimit: 2);
        Assert.True(bulkhead.TryAcquire(0, out _));
        var first = bulkhead.AcquireAsync();
        var second = bulkhead.AcquireAsync();
        var third = bulkhead.AcquireAsync(priority: -100);
        Assert.True(third.IsFaulted);
        var ex = await Assert.ThrowsAsync<BulkheadRejectedException>(() => third.AsTask());
        Assert.Equal("ai", ex.BulkheadName);
        Assert.Equal(2, ex.QueueLength);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
    }

    [Fact]
    public async Task Zero_queue_limit_means_no_waiting()
    {
        var bulkhead = Create(maxConcurrency: 1, queueLimit: 0);
        using var lease = await bulkhead.AcquireAsync();
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.AcquireAsync().AsTask());
    }

    [Fact]
    public async Task Cancellation_removes_the_waiter_and_the_slot_goes_to_the_next()
    {
        var bulkhead = Create(queueLimit: 2);
        Assert.True(bulkhead.TryAcquire(0, out var holder));
        using var cts = new CancellationTokenSource();
        var canceled = bulkhead.AcquireAsync(priority: 0, cts.Token).AsTask();
        var next = bulkhead.AcquireAsync(priority: 1).AsTask();
        Assert.Equal(2, bulkhead.QueueLength);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled);
        Assert.Equal(1, bulkhead.QueueLength);
        var third = bulkhead.AcquireAsync(priority: 2); // the freed queue place is usable again
        Assert.False(third.IsCompleted);

        holder.Dispose();
        var lease = await next;
        Assert.Equal(1, bulkhead.CurrentCount);
        lease.Dispose();
        (await third).Dispose();
        Assert.Equal(0, bulkhead.CurrentCount);
        Assert.Equal(0, bulkhead.QueueLength);
    }

    [Fact]
    public async Task An_already_canceled_token_fails_without_queueing()
    {
        var bulkhead = Create();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bulkhead.AcquireAsync(0, new CancellationToken(true)).AsTask());
        Assert.Equal(0, bulkhead.CurrentCount);
        Assert.Equal(0, bulkhead.QueueLength);
    }

    [Fact]
    public void Double_dispose_releases_only_once()
    {
        var bulkhead = Create(maxConcurrency: 2);
        Assert.True(bulkhead.TryAcquire(0, out var first));
        Assert.True(bulkhead.TryAcquire(0, out var second));
        var copy = first;
        first.Dispose();
        Assert.False(first.IsActive);
        Assert.False(copy.IsActive);
        Assert.True(second.IsActive);
        Assert.Equal(1, bulkhead.CurrentCount);
        Assert.True(bulkhead.TryAcquire(0, out var reused)); // likely the same slot as `first`
        first.Dispose();
        copy.Dispose();
        Assert.Equal(2, bulkhead.CurrentCount);
        Assert.True(reused.IsActive);
        reused.Dispose();
        second.Dispose();
        Assert.Equal(0, bulkhead.CurrentCount);
        default(BulkheadLease).Dispose();
    }

    [Fact]
    public async Task Double_dispose_after_hand_off_does_not_release_the_next_holder()
    {
        var bulkhead = Create();
        Assert.True(bulkhead.TryAcquire(0, out var first));
        var waiting = bulkhead.AcquireAsync().AsTask();
        first.Dispose();
        var second = await waiting;
        first.Dispose();
        Assert.True(second.IsActive);
        Assert.Equal(1, bulkhead.CurrentCount);
        Assert.False(bulkhead.TryAcquire(0, out _));
    }

    private static BulkheadLease AcquireCompleted(PriorityBulkhead bulkhead)
    {
        var pending = bulkhead.AcquireAsync();
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("expected a synchronous grant");
        }

        return pending.Result;
    }

    [Fact]
    public void Fast_path_does_not_allocate()
    {
        var bulkhead = Create(maxConcurrency: 4);
        for (var i = 0; i < 100; i++)
        {
            bulkhead.TryAcquire(0, out var l);
            l.Dispose();
            AcquireCompleted(bulkhead).Dispose();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            bulkhead.TryAcquire(0, out var lease);
            lease.Dispose();
            AcquireCompleted(bulkhead).Dispose();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(0, 0, "MaxConcurrency")]
    [InlineData(-1, 0, "MaxConcurrency")]
    [InlineData(1 << 21, 0, "MaxConcurrency")]
    [InlineData(1, -1, "QueueLimit")]
    public void Invalid_options_are_rejected_naming_the_option(int maxConcurrency, int queueLimit, string option)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PriorityBulkhead(new PriorityBulkheadOptions { MaxConcurrency = maxConcurrency, QueueLimit = queueLimit }));
        Assert.Equal(option, ex.ParamName);
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_name_is_rejected()
    {
        Assert.Equal("Name", Assert.Throws<ArgumentException>(() => new PriorityBulkhead(new PriorityBulkheadOptions { Name = "" })).ParamName);
    }
}
