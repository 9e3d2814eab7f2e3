using System.Collections.Frozen;

namespace BotResilience.Telegram.Testing.Protocol;

/// <summary>The Bot API methods the emulator implements.</summary>
internal enum BotApiMethod
{
    GetMe,
    SendMessage,
    SendPhoto,
    SendDocument,
    EditMessageText,
    DeleteMessage,
    SendChatAction,
    AnswerCallbackQuery,
    GetUpdates,
    SetWebhook,
    DeleteWebhook,
    GetWebhookInfo,
}

/// <summary>Case-insensitive method names, as Telegram matches them.</summary>
internal static class BotApiMethods
{
    public static readonly FrozenDictionary<string, BotApiMethod> ByName = new Dictionary<string, BotApiMethod>(StringComparer.OrdinalIgnoreCase)
    {
        ["getMe"] = BotApiMethod.GetMe,
        ["sendMessage"] = BotApiMethod.SendMessage,
        ["sendPhoto"] = BotApiMethod.SendPhoto,
        ["sendDocument"] = BotApiMethod.SendDocument,
        ["editMessageText"] = BotApiMethod.EditMessageText,
        ["deleteMessage"] = BotApiMethod.DeleteMessage,
        ["sendChatAction"] = BotApiMethod.SendChatAction,
        ["answerCallbackQuery"] = BotApiMethod.AnswerCallbackQuery,
        ["getUpdates"] = BotApiMethod.GetUpdates,
        ["setWebhook"] = BotApiMethod.SetWebhook,
        ["deleteWebhook"] = BotApiMethod.DeleteWebhook,
        ["getWebhookInfo"] = BotApiMethod.GetWebhookInfo,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Methods that send a message and are therefore counted against the limits.</summary>
    public static bool IsMessageSend(BotApiMethod method)
        => method is BotApiMethod.SendMessage or BotApiMethod.SendPhoto or BotApiMethod.SendDocument;

    public static string CanonicalName(BotApiMethod method) => method switch
    {
        BotApiMethod.GetMe => "getMe",
        BotApiMethod.SendMessage => "sendMessage",
        BotApiMethod.SendPhoto => "sendPhoto",
        BotApiMethod.SendDocument => "sendDocument",
        BotApiMethod.EditMessageText => "editMessageText",
        BotApiMethod.DeleteMessage => "deleteMessage",
        BotApiMethod.SendChatAction => "sendChatAction",
        BotApiMethod.AnswerCallbackQuery => "answerCallbackQuery",
        BotApiMethod.GetUpdates => "getUpdates",
        BotApiMethod.SetWebhook => "setWebhook",
        BotApiMethod.DeleteWebhook => "deleteWebhook",
        _ => "getWebhookInfo",
    };
}
