namespace BotResilience.Timeouts;

/// <summary>
/// A small lock-free pool of <see cref="CancellationTokenSource"/>s bound to one <see cref="TimeProvider"/>
/// (<see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/> uses the provider's timer), reset with
/// <see cref="CancellationTokenSource.TryReset"/> so the success path of a timeout allocates nothing.
/// </summary>
internal sealed class CancellationTokenSourcePool(TimeProvider timeProvider)
{
    private readonly CancellationTokenSource?[] _items = new CancellationTokenSource?[Math.Clamp(Environment.ProcessorCount * 4, 8, 64)];

    public CancellationTokenSource Rent()
    {
        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            var item = Interlocked.Exchange(ref items[i], null);
            if (item is not null)
            {
                return item;
            }
        }

        return ReferenceEquals(timeProvider, TimeProvider.System)
            ? new CancellationTokenSource()
            : new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
    }

    public void Return(CancellationTokenSource source)
    {
        if (!source.TryReset())
        {
            source.Dispose();
            return;
        }

        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref items[i], source, null) is null)
            {
                return;
            }
        }

        source.Dispose();
    }
}
