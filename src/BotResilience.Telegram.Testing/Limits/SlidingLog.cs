namespace BotResilience.Telegram.Testing.Limits;

/// <summary>
/// An exact sliding log: remembers the timestamps of the last <c>limit</c> admitted events so that no interval of
/// length <c>window</c> ever holds more than <c>limit</c> of them. A ring buffer; not thread-safe.
/// </summary>
internal sealed class SlidingLog
{
    private readonly long[] _items;
    private readonly long _window;
    private int _head;
    private int _count;

    public SlidingLog(int limit, long window)
    {
        _items = new long[limit];
        _window = window;
    }

    public int Count => _count;

    /// <summary>How long (timestamp units) until one more event may be admitted at <paramref name="now"/>; 0 when it may be now.</summary>
    public long GetWait(long now)
    {
        Trim(now);
        return _count < _items.Length ? 0 : _items[_head] + _window - now;
    }

    public void Add(long now)
    {
        Trim(now);
        if (_count == _items.Length)
        {
            throw new InvalidOperationException("The sliding log is full; call GetWait first.");
        }

        _items[(_head + _count) % _items.Length] = now;
        _count++;
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
