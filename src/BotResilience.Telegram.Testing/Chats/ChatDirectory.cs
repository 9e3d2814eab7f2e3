using System.Globalization;

namespace BotResilience.Telegram.Testing.Chats;

/// <summary>
/// Resolves a <c>chat_id</c> parameter to a chat. Positive ids are private chats, ids at or below
/// <c>-1 000 000 000 000</c> are supergroups, other negative ids are groups, and <c>@username</c> is a channel
/// that gets a stable synthetic <c>-100…</c> id. Not thread-safe: used under the engine's lock.
/// </summary>
internal sealed class ChatDirectory
{
    private const long SupergroupThreshold = -1_000_000_000_000;
    private readonly Dictionary<long, EmulatedChat> _chats = [];
    private readonly Dictionary<string, EmulatedChat> _byUsername = new(StringComparer.OrdinalIgnoreCase);
    private long _nextChannelId = -1_001_000_000_000;

    public IEnumerable<EmulatedChat> All => _chats.Values;

    public static string TypeOf(long chatId) => chatId switch
    {
        > 0 => "private",
        <= SupergroupThreshold => "supergroup",
        _ => "group",
    };

    public bool TryResolve(string? chatIdParameter, out EmulatedChat chat)
    {
        chat = null!;
        if (string.IsNullOrWhiteSpace(chatIdParameter))
        {
            return false;
        }

        if (chatIdParameter[0] == '@')
        {
            var username = chatIdParameter[1..];
            if (username.Length == 0)
            {
                return false;
            }

            if (!_byUsername.TryGetValue(username, out var channel))
            {
                channel = new EmulatedChat(--_nextChannelId, "channel", username);
                _byUsername[username] = channel;
                _chats[channel.Id] = channel;
            }

            chat = channel;
            return true;
        }

        if (!long.TryParse(chatIdParameter, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) || id == 0)
        {
            return false;
        }

        chat = Get(id);
        return true;
    }

    public EmulatedChat Get(long id)
    {
        if (!_chats.TryGetValue(id, out var chat))
        {
            chat = new EmulatedChat(id, TypeOf(id), username: null);
            _chats[id] = chat;
        }

        return chat;
    }

    public bool TryFind(long id, out EmulatedChat chat) => _chats.TryGetValue(id, out chat!);
}
