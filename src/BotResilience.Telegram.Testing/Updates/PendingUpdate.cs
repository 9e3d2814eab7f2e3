namespace BotResilience.Telegram.Testing.Updates;

/// <summary>An update not yet confirmed by <c>getUpdates</c> nor delivered to a webhook.</summary>
internal sealed class PendingUpdate
{
    public PendingUpdate(long id, string type, string json)
    {
        Id = id;
        Type = type;
        Json = json;
    }

    public long Id { get; }

    /// <summary>The update's kind: <c>message</c>, <c>callback_query</c>, <c>edited_message</c>…</summary>
    public string Type { get; }

    public string Json { get; }

    /// <summary>Whether a webhook delivery currently owns this update.</summary>
    public bool InFlight { get; set; }
}
