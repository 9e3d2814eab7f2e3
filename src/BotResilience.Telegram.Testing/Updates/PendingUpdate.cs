namespace BotResilience.Telegram.Testing.Updates;

/// <summary>An update not yet confirmed by <c>getUpdates</c> nor delivered to a webhook.</summary>
internal sealed class PendingUpdate
{
    public PendingUpdate(long id, string json)
    {
        Id = id;
        Json = json;
    }

    public long Id { get; }

    public string Json { get; }

    /// <summary>Whether a webhook delivery currently owns this update.</summary>
    public bool InFlight { get; set; }
}
