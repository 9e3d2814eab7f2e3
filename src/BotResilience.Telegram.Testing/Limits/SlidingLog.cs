namespace BotResilience.Telegram.Testing.Limits;

/// <summary>
/// An exact sliding log: remembers the timestamps of the admitted events still inside the window (at most
/// <c>limit</c>) so that no interval of length <c>window</c> ever holds more than <c>limit</c> of them. A ring buffer
/// that grows on demand (a huge scaled limit costs memory only when used); not thread-safe.
/// </summary>
internal sealed class SlidingLog
{
    private readonly int _limit;
    private readonly long _window;
    private long[] _items;
    private int _head;
    private int _count;

    public SlidingLog(int limit, long window)
    {
        _limit = limit;
        _window = window;
        _items = new long[Math.Min(limit, 32)];
    }

    public int Count => _count;

    /// <summary>How long (timestamp units) until one more event may be admitted at <paramref name="now"/>; 0 when it may be now.</summary>
    public long GetWait(long now)
    {
        Trim(now);
        return _count < _limit ? 0 : _items[_head] + _window - now;
    }

    public void Add(long now)
    {
        Trim(now);
        if (_count == _limit)
        {
            throw new InvalidOperationException("The sliding log is full; call GetWait first.");
        }

        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) % _items.Length] = now;
        _count++;
    }

    private void Grow()
    {
        var larger = new long[(int)Math.Min((long)_items.Length * 2, _limit)];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = _items[(_head + i) % _items.Length];
        }

        _items = larger;
        _head = 0;
    }

    private void Trim(long now)
    {
        while (_count > 0 && _items[_head] + _window <= now)
        {
            _head = (_head + 1) % _items.Length;
            _count--;
        }
    }
}
