namespace BotResilience.Retry;

/// <summary>Recognises a flood wait in an exception. Adapters supply classifiers; users can add their own.</summary>
public interface IFloodWaitClassifier
{
    /// <summary>Returns <see langword="true"/> and the wait when <paramref name="exception"/> is a flood wait.</summary>
    /// <param name="exception">The exception to inspect; implementations never throw on unfamiliar types.</param>
    /// <param name="floodWait">The wait, when recognised.</param>
    bool TryClassify(Exception exception, out FloodWait floodWait);
}
