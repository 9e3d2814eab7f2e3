using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BotResilience.Telegram.Wire;

/// <summary>
/// Reads the method, the bot id, <c>chat_id</c> and <c>allow_paid_broadcast</c> from a Bot API request without
/// changing the bytes that are sent.
/// </summary>
internal static class BotApiRequestParser
{
    private static readonly byte[] ChatIdName = "chat_id"u8.ToArray();
    private static readonly byte[] PaidName = "allow_paid_broadcast"u8.ToArray();

    /// <summary>Recognises <c>.../bot&lt;token&gt;/&lt;method&gt;</c> (and <c>.../bot&lt;token&gt;/test/&lt;method&gt;</c>); file downloads are not methods.</summary>
    public static bool TryParsePath(string path, out string botId, out string method)
    {
        botId = string.Empty;
        method = string.Empty;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (!s.StartsWith("bot", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = s.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 3 || colon == s.Length - 1 || !IsDigits(s.AsSpan(3, colon - 3)))
            {
                continue;
            }

            if (i > 0 && segments[i - 1].Equals("file", StringComparison.Ordinal))
            {
                return false; // file download: /file/bot<token>/<path>
            }

            var rest = segments.Length - i - 1;
            if (rest == 1 || (rest == 2 && segments[i + 1].Equals("test", StringComparison.Ordinal)))
            {
                method = segments[^1];
                botId = s[3..colon];
                return method.Length > 0 && IsMethodName(method);
            }

            return false;
        }

        return false;
    }

    /// <summary>
    /// Reads chat_id / allow_paid_broadcast from the content. Returns the content to send: the same bytes
    /// (a buffered copy with the same headers) or the original instance when it did not need buffering.
    /// </summary>
    public static async ValueTask<(HttpContent? Content, string? ChatId, bool Paid)> ReadAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return (null, null, false);
        }

        if (content is MultipartFormDataContent multipart)
        {
            // In-process multipart (Telegram.Bot file uploads): read only the small text parts, never the files.
            string? chat = null;
            var paid = false;
            foreach (var part in multipart)
            {
                var name = part.Headers.ContentDisposition?.Name?.Trim('"');
                if (name == "chat_id")
                {
                    chat = (await part.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
                }
                else if (name == "allow_paid_broadcast")
                {
                    paid = IsTrue((await part.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim());
                }
            }

            return (content, chat, paid);
        }

        var bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var copy = new ByteArrayContent(bytes);
        foreach (var header in content.Headers)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        var (chatId, isPaid) = ParseBody(bytes, content.Headers.ContentType);
        content.Dispose();
        return (copy, chatId, isPaid);
    }

    public static (string? ChatId, bool Paid) ParseBody(ReadOnlySpan<byte> bytes, MediaTypeHeaderValue? contentType)
    {
        var mediaType = contentType?.MediaType;
        if (mediaType is null || mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return ParseJson(bytes);
        }

        if (mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return ParseForm(bytes);
        }

        if (mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = contentType!.Parameters.FirstOrDefault(p => p.Name.Equals("boundary", StringComparison.OrdinalIgnoreCase))?.Value?.Trim('"');
            return boundary is null ? (null, false) : ParseMultipart(bytes, boundary);
        }

        return (null, false);
    }

    public static (string? ChatId, bool Paid) ParseJson(ReadOnlySpan<byte> bytes)
    {
        string? chat = null;
        var paid = false;
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, false);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isChat = reader.ValueTextEquals(ChatIdName);
                var isPaid = !isChat && reader.ValueTextEquals(PaidName);
                reader.Read();
                if (isChat)
                {
                    chat = reader.TokenType switch
                    {
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
                        JsonTokenType.String => reader.GetString(),
                        _ => null,
                    };
                }
                else if (isPaid)
                {
                    paid = reader.TokenType == JsonTokenType.True || (reader.TokenType == JsonTokenType.String && IsTrue(reader.GetString()));
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not our business: the server will answer 400; we just do not know the chat.
        }

        return (chat, paid);
    }

    public static (string? ChatId, bool Paid) ParseForm(ReadOnlySpan<byte> bytes)
    {
        string? chat = null;
        var paid = false;
        var text = Encoding.UTF8.GetString(bytes);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (key == "chat_id")
            {
                chat = value.Trim();
            }
            else if (key == "allow_paid_broadcast")
            {
                paid = IsTrue(value);
            }
        }

        return (chat, paid);
    }

    public static (string? ChatId, bool Paid) ParseMultipart(ReadOnlySpan<byte> bytes, string boundary)
    {
        string? chat = null;
        var paid = false;
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var pos = bytes.IndexOf(delimiter);
        while (pos >= 0)
        {
            var partStart = pos + delimiter.Length;
            if (partStart + 2 > bytes.Length || (bytes[partStart] == '-' && bytes[partStart + 1] == '-'))
            {
                break;
            }

            var next = bytes[partStart..].IndexOf(delimiter);
            if (next < 0)
            {
                break;
            }

            var part = bytes.Slice(partStart, next);
            var headerEnd = part.IndexOf("\r\n\r\n"u8);
            if (headerEnd >= 0)
            {
                var headers = Encoding.UTF8.GetString(part[..headerEnd]);
                var body = part[(headerEnd + 4)..];
                if (body.EndsWith("\r\n"u8))
                {
                    body = body[..^2];
                }

                var name = PartName(headers);
                if (name == "chat_id")
                {
                    chat = Encoding.UTF8.GetString(body).Trim();
                }
                else if (name == "allow_paid_broadcast")
                {
                    paid = IsTrue(Encoding.UTF8.GetString(body).Trim());
                }
            }

            pos = partStart + next;
        }

        return (chat, paid);
    }

    private static string? PartName(string headers)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            if (!line.StartsWith("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var piece in line.Split(';'))
            {
                var p = piece.Trim();
                if (p.StartsWith("name=", StringComparison.OrdinalIgnoreCase))
                {
                    return p[5..].Trim('"');
                }
            }
        }

        return null;
    }

    private static bool IsTrue(string? value) => value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1");

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    private static bool IsMethodName(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
