namespace BotResilience.Telegram.Testing;

/// <summary>A message the emulator accepted (or, in <see cref="BotApiEmulator.EditedMessages"/>, an accepted edit).</summary>
public sealed class SentMessage
{
    internal SentMessage(long sequence, string method, long chatId, string chatType, string? chatUsername, long messageId,
        string? text, string? fileName, string? replyMarkup, string? parseMode, bool paidBroadcast, DateTimeOffset receivedAt, long receivedTimestamp)
    {
        Sequence = sequence;
        Method = method;
        ChatId = chatId;
        ChatType = chatType;
        ChatUsername = chatUsername;
        MessageId = messageId;
        Text = text;
        FileName = fileName;
        ReplyMarkup = replyMarkup;
        ParseMode = parseMode;
        PaidBroadcast = paidBroadcast;
        ReceivedAt = receivedAt;
        ReceivedTimestamp = receivedTimestamp;
    }

    /// <summary>Gets the 1-based order in which the emulator accepted this message among all records of its list.</summary>
    public long Sequence { get; }

    /// <summary>Gets the Bot API method, in Telegram's spelling (<c>sendMessage</c>, <c>sendPhoto</c>, <c>sendDocument</c>, <c>editMessageText</c>).</summary>
    public string Method { get; }

    /// <summary>Gets the numeric chat id (a synthetic <c>-100…</c> id when the request used <c>@username</c>).</summary>
    public long ChatId { get; }

    /// <summary>Gets the chat type: <c>private</c>, <c>group</c>, <c>supergroup</c> or <c>channel</c>.</summary>
    public string ChatType { get; }

    /// <summary>Gets the <c>@username</c> the request used (without <c>@</c>), if any.</summary>
    public string? ChatUsername { get; }

    /// <summary>Gets the message id (per chat, from 1).</summary>
    public long MessageId { get; }

    /// <summary>Gets the text, or the caption of a photo or document.</summary>
    public string? Text { get; }

    /// <summary>Gets the uploaded file's name, or the <c>file_id</c>/URL string sent instead of a file.</summary>
    public string? FileName { get; }

    /// <summary>Gets the raw <c>reply_markup</c> JSON, if any.</summary>
    public string? ReplyMarkup { get; }

    /// <summary>Gets the <c>parse_mode</c>, if any.</summary>
    public string? ParseMode { get; }

    /// <summary>Gets whether the request had <c>allow_paid_broadcast=true</c>.</summary>
    public bool PaidBroadcast { get; }

    /// <summary>Gets when the emulator accepted the message (<see cref="BotApiEmulatorOptions.TimeProvider"/>'s UTC clock).</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Gets the monotonic timestamp of acceptance (<see cref="TimeProvider.GetTimestamp"/>; Stopwatch ticks with the system provider).</summary>
    public long ReceivedTimestamp { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Method} #{MessageId} to {ChatId}: {Text}";
}
