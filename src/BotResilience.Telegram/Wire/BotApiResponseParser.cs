using System.Text.Json;

namespace BotResilience.Telegram.Wire;

/// <summary>Reads <c>parameters.retry_after</c> and <c>parameters.migrate_to_chat_id</c> from a Bot API error body.</summary>
internal static class BotApiResponseParser
{
    public static (TimeSpan? RetryAfter, long? MigrateToChatId) Parse(ReadOnlySpan<byte> body)
    {
        TimeSpan? retryAfter = null;
        long? migrate = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isParameters = reader.ValueTextEquals("parameters"u8);
                reader.Read();
                if (isParameters && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isRetry = reader.ValueTextEquals("retry_after"u8);
                        var isMigrate = !isRetry && reader.ValueTextEquals("migrate_to_chat_id"u8);
                        reader.Read();
                        if (isRetry && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var seconds) && seconds >= 0)
                        {
                            retryAfter = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
                        }
                        else if (isMigrate && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id))
                        {
                            migrate = id;
                        }

                        reader.Skip();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
        }

        return (retryAfter, migrate);
    }
}
