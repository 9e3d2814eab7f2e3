using System.Text.Json;

namespace BotResilience.Telegram.Dispatching;

/// <summary>
/// A raw Bot API update with the keys the dispatcher needs: <c>update_id</c>, its kind (<c>message</c>,
/// <c>callback_query</c>...), the chat id and the user id, whatever the kind. Independent of client libraries:
/// deserialize <see cref="Json"/> (or <see cref="RawJson"/>) with the library of your choice.
/// </summary>
public sealed class TelegramUpdate
{
    private TelegramUpdate(long? updateId, string? kind, long? chatId, long? userId, JsonElement json, ReadOnlyMemory<byte> raw)
    {
        UpdateId = updateId;
        Kind = kind;
        ChatId = chatId;
        UserId = userId;
        Json = json;
        RawJson = raw;
    }

    /// <summary>The <c>update_id</c>, when present.</summary>
    public long? UpdateId { get; }

    /// <summary>The name of the update's payload property (<c>message</c>, <c>edited_message</c>, <c>channel_post</c>, <c>callback_query</c>, <c>inline_query</c>, <c>my_chat_member</c>...).</summary>
    public string? Kind { get; }

    /// <summary>The chat the update belongs to (<c>chat.id</c>, or <c>message.chat.id</c> for callback queries), when any.</summary>
    public long? ChatId { get; }

    /// <summary>The user who caused it (<c>from.id</c>, or <c>user.id</c>), when any.</summary>
    public long? UserId { get; }

    /// <summary>The whole update (a detached clone, safe to keep).</summary>
    public JsonElement Json { get; }

    /// <summary>The bytes the update was parsed from (empty when parsed from a <see cref="JsonElement"/>).</summary>
    public ReadOnlyMemory<byte> RawJson { get; }

    /// <summary>Parses one update from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The update.</param>
    /// <returns>The update.</returns>
    /// <exception cref="JsonException">The bytes are not a JSON object.</exception>
    public static TelegramUpdate Parse(ReadOnlyMemory<byte> utf8Json)
    {
        using var doc = JsonDocument.Parse(utf8Json);
        return From(doc.RootElement.Clone(), utf8Json);
    }

    /// <summary>Parses one update from a JSON string.</summary>
    /// <param name="json">The update.</param>
    /// <returns>The update.</returns>
    /// <exception cref="JsonException">The text is not a JSON object.</exception>
    public static TelegramUpdate Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Reads one update from a parsed element.</summary>
    /// <param name="update">The update object.</param>
    /// <returns>The update.</returns>
    /// <exception cref="JsonException">The element is not an object.</exception>
    public static TelegramUpdate FromJson(JsonElement update) => From(update.Clone(), ReadOnlyMemory<byte>.Empty);

    private static TelegramUpdate From(JsonElement root, ReadOnlyMemory<byte> raw)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A Telegram update must be a JSON object.");
        }

        long? updateId = null;
        string? kind = null;
        long? chat = null;
        long? user = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("update_id"u8))
            {
                if (property.Value.TryGetInt64(out var id))
                {
                    updateId = id;
                }

                continue;
            }

            if (kind is not null || property.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            kind = property.Name;
            var payload = property.Value;
            chat = Id(payload, "chat") ?? (payload.TryGetProperty("message"u8, out var message) ? Id(message, "chat") : null);
            user = Id(payload, "from") ?? Id(payload, "user") ?? (payload.TryGetProperty("boost"u8, out var boost) && boost.TryGetProperty("source"u8, out var source) ? Id(source, "user") : null);
        }

        return new TelegramUpdate(updateId, kind, chat, user, root, raw);
    }

    private static long? Id(JsonElement element, string property)
        => element.ValueKind == JsonValueKind.Object
           && element.TryGetProperty(property, out var holder)
           && holder.ValueKind == JsonValueKind.Object
           && holder.TryGetProperty("id"u8, out var id)
           && id.TryGetInt64(out var value)
            ? value
            : null;
}
