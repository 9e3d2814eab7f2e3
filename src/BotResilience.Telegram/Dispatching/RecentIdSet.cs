namespace BotResilience.Telegram.Dispatching;

/// <summary>The last <c>capacity</c> ids: a ring for order plus a hash set for lookups. Not thread-safe.</summary>
internal sealed class RecentIdSet
{
    private readonly long[] _ring;
    private readonly HashSet<long> _set;
    private int _next;

    public RecentIdSet(int capacity)
    {
        _ring = new long[capacity];
        _set = new HashSet<long>(capacity);
    }

    public int Count => _set.Count;

    public bool Contains(long id) => _ring.Length > 0 && _set.Contains(id);

    public void Add(long id)
    {
        if (_ring.Length == 0 || !_set.Add(id))
        {
            return;
        }

        if (_set.Count > _ring.Length)
        {
            _set.Remove(_ring[_next]);
        }

        _ring[_next] = id;
        _next = (_next + 1) % _ring.Length;
    }
}
