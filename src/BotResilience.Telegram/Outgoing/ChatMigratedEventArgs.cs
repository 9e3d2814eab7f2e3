namespace BotResilience.Telegram;

/// <summary>A Bot API 400 carrying <c>parameters.migrate_to_chat_id</c>: the group became a supergroup.</summary>
public sealed class ChatMigratedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="method">The method that failed.</param>
    /// <param name="oldChatId">The chat id the request used.</param>
    /// <param name="newChatId">The supergroup's id to use from now on.</param>
    public ChatMigratedEventArgs(string method, string oldChatId, long newChatId)
    {
        Method = method;
        OldChatId = oldChatId;
        NewChatId = newChatId;
    }

    /// <summary>The method that failed.</summary>
    public string Method { get; }

    /// <summary>The chat id the request used.</summary>
    public string OldChatId { get; }

    /// <summary>The supergroup's id to use from now on.</summary>
    public long NewChatId { get; }
}
