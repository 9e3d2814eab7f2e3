using System.Text.Json;
using System.Text.Json.Serialization;

namespace BotResilience.SampleBot.Telegram;

#pragma warning disable CA1812 // instantiated by System.Text.Json

/// <summary>Minimal Bot API types the sample needs (works with any Bot API client; no Telegram.Bot dependency).</summary>
public sealed class Update
{
    /// <summary>update_id.</summary>
    [JsonPropertyName("update_id")] public long UpdateId { get; set; }

    /// <summary>message.</summary>
    [JsonPropertyName("message")] public Message? Message { get; set; }

    /// <summary>edited_message (live location updates arrive here).</summary>
    [JsonPropertyName("edited_message")] public Message? EditedMessage { get; set; }

    /// <summary>callback_query.</summary>
    [JsonPropertyName("callback_query")] public CallbackQuery? CallbackQuery { get; set; }

    /// <summary>The chat this update belongs to, if any.</summary>
    [JsonIgnore] public long? ChatId => (Message ?? EditedMessage)?.Chat?.Id ?? CallbackQuery?.Message?.Chat?.Id ?? CallbackQuery?.From?.Id;

    /// <summary>The sender.</summary>
    [JsonIgnore] public long? UserId => (Message ?? EditedMessage)?.From?.Id ?? CallbackQuery?.From?.Id;
}

/// <summary>message.</summary>
public sealed class Message
{
    /// <summary>message_id.</summary>
    [JsonPropertyName("message_id")] public long MessageId { get; set; }

    /// <summary>from.</summary>
    [JsonPropertyName("from")] public User? From { get; set; }

    /// <summary>chat.</summary>
    [JsonPropertyName("chat")] public Chat? Chat { get; set; }

    /// <summary>date (unix seconds).</summary>
    [JsonPropertyName("date")] public long Date { get; set; }

    /// <summary>text.</summary>
    [JsonPropertyName("text")] public string? Text { get; set; }

    /// <summary>location.</summary>
    [JsonPropertyName("location")] public Location? Location { get; set; }
}

/// <summary>user.</summary>
public sealed class User
{
    /// <summary>id.</summary>
    [JsonPropertyName("id")] public long Id { get; set; }

    /// <summary>first_name.</summary>
    [JsonPropertyName("first_name")] public string? FirstName { get; set; }
}

/// <summary>chat.</summary>
public sealed class Chat
{
    /// <summary>id.</summary>
    [JsonPropertyName("id")] public long Id { get; set; }

    /// <summary>type.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
}

/// <summary>location.</summary>
public sealed class Location
{
    /// <summary>latitude.</summary>
    [JsonPropertyName("latitude")] public double Latitude { get; set; }

    /// <summary>longitude.</summary>
    [JsonPropertyName("longitude")] public double Longitude { get; set; }

    /// <summary>live_period (seconds) for live locations.</summary>
    [JsonPropertyName("live_period")] public int? LivePeriod { get; set; }
}

/// <summary>callback_query.</summary>
public sealed class CallbackQuery
{
    /// <summary>id.</summary>
    [JsonPropertyName("id")] public string? Id { get; set; }

    /// <summary>from.</summary>
    [JsonPropertyName("from")] public User? From { get; set; }

    /// <summary>message the button was attached to.</summary>
    [JsonPropertyName("message")] public Message? Message { get; set; }

    /// <summary>data.</summary>
    [JsonPropertyName("data")] public string? Data { get; set; }
}

/// <summary>Bot API response envelope.</summary>
/// <typeparam name="T">Result type.</typeparam>
public sealed class ApiResponse<T>
{
    /// <summary>ok.</summary>
    [JsonPropertyName("ok")] public bool Ok { get; set; }

    /// <summary>result.</summary>
    [JsonPropertyName("result")] public T? Result { get; set; }

    /// <summary>error_code.</summary>
    [JsonPropertyName("error_code")] public int? ErrorCode { get; set; }

    /// <summary>description.</summary>
    [JsonPropertyName("description")] public string? Description { get; set; }

    /// <summary>parameters.</summary>
    [JsonPropertyName("parameters")] public ResponseParameters? Parameters { get; set; }
}

/// <summary>parameters of an error.</summary>
public sealed class ResponseParameters
{
    /// <summary>retry_after.</summary>
    [JsonPropertyName("retry_after")] public int? RetryAfter { get; set; }

    /// <summary>migrate_to_chat_id.</summary>
    [JsonPropertyName("migrate_to_chat_id")] public long? MigrateToChatId { get; set; }
}

/// <summary>Shared JSON settings.</summary>
public static class BotJson
{
    /// <summary>Options: ignore nulls when writing.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
