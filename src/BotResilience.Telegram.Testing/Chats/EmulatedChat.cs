using BotResilience.Telegram.Testing.Limits;

namespace BotResilience.Telegram.Testing.Chats;

/// <summary>One chat the emulator knows: its identity, message numbering, stored messages and limit state. Guarded by the engine's lock.</summary>
internal sealed class EmulatedChat
{
    public EmulatedChat(long id, string type, string? username)
    {
        Id = id;
        Type = type;
        Username = username;
    }

    public long Id { get; }

    /// <summary><c>private</c>, <c>group</c>, <c>supergroup</c> or <c>channel</c>.</summary>
    public string Type { get; }

    public string? Username { get; }

    public bool IsPrivate => Type == "private";

    public long LastMessageId { get; private set; }

    /// <summary>Texts (or captions) of messages that exist in the chat, by message id.</summary>
    public Dictionary<long, string?> Messages { get; } = [];

    /// <summary>GCRA theoretical arrival time of the per-chat limit, in <see cref="TimeProvider"/> timestamp units; <see cref="long.MinValue"/> when unused.</summary>
    public long PerChatTheoreticalArrival { get; set; } = long.MinValue;

    public SlidingLog? GroupLog { get; set; }

    /// <summary>Timestamp until which every send to this chat gets 429; <see cref="long.MinValue"/> when none.</summary>
    public long PenaltyUntil { get; set; } = long.MinValue;

    public long TooManyRequestsCount { get; set; }

    public long? MigratedTo { get; set; }

    public bool BlockedBot { get; set; }

    public long NextMessageId() => ++LastMessageId;
}
