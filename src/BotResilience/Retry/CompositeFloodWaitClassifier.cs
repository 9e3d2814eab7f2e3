namespace BotResilience.Retry;

/// <summary>Combines classifiers: the first one that recognises a flood wait wins.</summary>
public sealed class CompositeFloodWaitClassifier : IFloodWaitClassifier
{
    private readonly IFloodWaitClassifier[] _classifiers;

    /// <summary>Creates the composite.</summary>
    /// <param name="classifiers">The classifiers, consulted in order; no null entries.</param>
    /// <exception cref="ArgumentException"><paramref name="classifiers"/> contains a null entry.</exception>
    public CompositeFloodWaitClassifier(IEnumerable<IFloodWaitClassifier> classifiers)
    {
        ArgumentNullException.ThrowIfNull(classifiers);
        _classifiers = [.. classifiers];
        if (Array.IndexOf(_classifiers, null) >= 0)
        {
            throw new ArgumentException("The classifiers must not contain null entries.", nameof(classifiers));
        }
    }

    /// <inheritdoc />
    public bool TryClassify(Exception exception, out FloodWait floodWait)
    {
        foreach (var classifier in _classifiers)
        {
            if (classifier.TryClassify(exception, out floodWait))
            {
                return true;
            }
        }

        floodWait = default;
        return false;
    }
}
