using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace BotResilience.Telegram.Testing.Protocol;

/// <summary>Builds Bot API answers: <c>{"ok":true,"result":...}</c> and Telegram's exact error bodies.</summary>
internal static class BotApiJson
{
    public static BotApiResponse Ok<TState>(TState state, Action<Utf8JsonWriter, TState> writeResult)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", true);
            writer.WritePropertyName("result");
            writeResult(writer, state);
            writer.WriteEndObject();
        }

        return new BotApiResponse(200, buffer.WrittenSpan.ToArray(), AbortConnection: false);
    }

    public static BotApiResponse OkTrue() => Ok(0, static (writer, _) => writer.WriteBooleanValue(true));

    public static BotApiResponse Error(int errorCode, string description)
        => Error(errorCode, description, retryAfter: null, migrateToChatId: null);

    public static BotApiResponse Error(int errorCode, string description, int? retryAfter, long? migrateToChatId)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", false);
            writer.WriteNumber("error_code", errorCode);
            writer.WriteString("description", description);
            if (retryAfter is not null || migrateToChatId is not null)
            {
                writer.WriteStartObject("parameters");
                if (migrateToChatId is { } migrate)
                {
                    writer.WriteNumber("migrate_to_chat_id", migrate);
                }

                if (retryAfter is { } retry)
                {
                    writer.WriteNumber("retry_after", retry);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return new BotApiResponse(errorCode, buffer.WrittenSpan.ToArray(), AbortConnection: false);
    }

    public static BotApiResponse TooManyRequests(int retryAfter)
        => Error(429, string.Create(CultureInfo.InvariantCulture, $"Too Many Requests: retry after {retryAfter}"), retryAfter, migrateToChatId: null);

    public static BotApiResponse BadRequest(string description) => Error(400, description);

    public static BotApiResponse Unauthorized() => Error(401, "Unauthorized");

    public static BotApiResponse NotFound() => Error(404, "Not Found");

    public static BotApiResponse ServerError(int statusCode) => Error(statusCode, statusCode switch
    {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Server Error",
    });
}
