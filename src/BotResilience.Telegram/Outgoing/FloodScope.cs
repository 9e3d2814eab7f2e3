namespace BotResilience.Telegram;

/// <summary>What a Bot API 429 pauses. Telegram does not document whether a flood limit is per chat or bot-wide.</summary>
public enum FloodScope
{
    /// <summary>Only the chat the request targeted (requests without a chat pause the bot).</summary>
    Chat = 0,

    /// <summary>Every sending request of the bot.</summary>
    Bot = 1,

    /// <summary>Both the chat and the bot for the full <c>retry_after</c> (the default, the safe choice: never keep sending into a bot-wide flood).</summary>
    ChatAndBot = 2,
}
