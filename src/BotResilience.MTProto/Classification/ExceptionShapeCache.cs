using System.Collections.Concurrent;

namespace BotResilience.MTProto.Classification;

/// <summary>One <see cref="ExceptionShape"/> per exception type, built on first sight and reused.</summary>
internal sealed class ExceptionShapeCache
{
    private static readonly Func<Type, ExceptionShapeCache, ExceptionShape> Factory = static (type, cache) =>
    {
        Interlocked.Increment(ref cache._created);
        return ExceptionShape.Create(type);
    };

    private readonly ConcurrentDictionary<Type, ExceptionShape> _shapes = new();
    private int _created;

    /// <summary>The process-wide cache used by <see cref="MTProtoErrorClassifier.Classify(Exception?)"/>.</summary>
    public static ExceptionShapeCache Shared { get; } = new();

    /// <summary>How many shapes were built (test hook: proves member lookup happens once per type).</summary>
    public int CreatedCount => Volatile.Read(ref _created);

    /// <summary>Number of types cached.</summary>
    public int Count => _shapes.Count;

    public ExceptionShape Get(Type type) => _shapes.TryGetValue(type, out var shape) ? shape : _shapes.GetOrAdd(type, Factory, this);
}
