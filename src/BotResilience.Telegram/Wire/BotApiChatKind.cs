namespace BotResilience.Telegram.Wire;

/// <summary>What a Bot API <c>chat_id</c> designates, which decides the limits that apply.</summary>
public enum BotApiChatKind
{
    /// <summary>No <c>chat_id</c> in the request (or one that could not be read).</summary>
    None = 0,

    /// <summary>A private chat with a user: a positive numeric id (about 1 message/s).</summary>
    Private = 1,

    /// <summary>A group, supergroup or channel: a negative numeric id or an <c>@username</c> (1 message/s and 20 messages/min).</summary>
    Group = 2,
}
