namespace BotResilience.Telegram.Wire;

/// <summary>What the resilience handler learned about one Bot API request.</summary>
/// <param name="Method">The Bot API method (<c>sendMessage</c>...), as it appears in the path.</param>
/// <param name="BotId">The numeric bot id (the part of the token before <c>:</c>; not secret), used to keep bots apart.</param>
/// <param name="ChatId">The raw <c>chat_id</c> (a number or <c>@username</c>), or <see langword="null"/>.</param>
/// <param name="ChatKind">The classification of <paramref name="ChatId"/>.</param>
/// <param name="AllowPaidBroadcast"><see langword="true"/> when the request sets <c>allow_paid_broadcast</c>.</param>
public readonly record struct BotApiRequestInfo(string Method, string BotId, string? ChatId, BotApiChatKind ChatKind, bool AllowPaidBroadcast)
{
    /// <summary>Classifies a raw <c>chat_id</c>: positive number → private; negative number or <c>@name</c> → group.</summary>
    /// <param name="chatId">The raw value.</param>
    /// <returns>The kind.</returns>
    public static BotApiChatKind Classify(string? chatId)
    {
        if (string.IsNullOrWhiteSpace(chatId))
        {
            return BotApiChatKind.None;
        }

        var span = chatId.AsSpan().Trim();
        if (span[0] == '@')
        {
            return span.Length > 1 ? BotApiChatKind.Group : BotApiChatKind.None;
        }

        if (long.TryParse(span, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return id > 0 ? BotApiChatKind.Private : id < 0 ? BotApiChatKind.Group : BotApiChatKind.None;
        }

        return BotApiChatKind.None;
    }
}
