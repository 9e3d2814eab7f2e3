using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BotResilience.Telegram.Testing.Protocol;

/// <summary>
/// The parameters of one Bot API call, read from the query string and from a JSON, url-encoded or multipart body
/// (body values win over query values). JSON scalars are kept as their text (<c>123</c>, <c>true</c>), objects and
/// arrays as raw JSON, exactly as Telegram reads a <c>reply_markup</c> sent either way.
/// </summary>
internal sealed class BotApiParameters
{
    private const string AttachPrefix = "attach://";
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UploadedFile> _files = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Values => _values;

    public static async ValueTask<(BotApiParameters? Parameters, string? Error)> ParseAsync(BotApiRequest request, CancellationToken cancellationToken)
    {
        var parameters = new BotApiParameters();
        if (!string.IsNullOrEmpty(request.QueryString))
        {
            foreach (var pair in QueryHelpers.ParseQuery(request.QueryString))
            {
                parameters._values[pair.Key] = pair.Value.ToString();
            }
        }

        if (request.Body.Length == 0)
        {
            return (parameters, null);
        }

        var media = MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ? mediaType.MediaType.Value ?? string.Empty : string.Empty;
        if (media.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(mediaType!.Boundary).Value;
            if (string.IsNullOrEmpty(boundary))
            {
                return (null, "Bad Request: multipart boundary is missing");
            }

            try
            {
                await parameters.ReadMultipartAsync(boundary, request.Body, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return (null, "Bad Request: can't parse multipart/form-data");
            }
            catch (InvalidDataException)
            {
                return (null, "Bad Request: can't parse multipart/form-data");
            }

            return (parameters, null);
        }

        if (media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var pair in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(request.Body)))
            {
                parameters._values[pair.Key] = pair.Value.ToString();
            }

            return (parameters, null);
        }

        // application/json, and (like Telegram) a body without a recognised content type is tried as JSON.
        try
        {
            using var document = JsonDocument.Parse(request.Body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "Bad Request: can't parse JSON object");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Null:
                    case JsonValueKind.Undefined:
                        break;
                    case JsonValueKind.String:
                        parameters._values[property.Name] = property.Value.GetString()!;
                        break;
                    default:
                        parameters._values[property.Name] = property.Value.GetRawText();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return (null, "Bad Request: can't parse JSON object");
        }

        return (parameters, null);
    }

    public string? GetString(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public bool Has(string name) => _values.ContainsKey(name) || _files.ContainsKey(name);

    public bool TryGetInt64(string name, out long value)
    {
        value = 0;
        return _values.TryGetValue(name, out var text)
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public bool TryGetDouble(string name, out double value)
    {
        value = 0;
        return _values.TryGetValue(name, out var text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public bool GetBoolean(string name)
        => _values.TryGetValue(name, out var text)
            && (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text == "1");

    /// <summary>Finds an uploaded file for <paramref name="name"/>: a part with that name, or <c>attach://part</c>.</summary>
    public UploadedFile? GetFile(string name)
    {
        if (_files.TryGetValue(name, out var file))
        {
            return file;
        }

        if (_values.TryGetValue(name, out var value) && value.StartsWith(AttachPrefix, StringComparison.Ordinal)
            && _files.TryGetValue(value[AttachPrefix.Length..], out var attached))
        {
            return attached;
        }

        return null;
    }

    private async Task ReadMultipartAsync(string boundary, byte[] body, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(body, writable: false);
        var reader = new MultipartReader(boundary, stream);
        while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value;
            if (string.IsNullOrEmpty(fileName))
            {
                fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
            }

            using var content = new MemoryStream();
            await section.Body.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(fileName))
            {
                _files[name] = new UploadedFile(name, fileName, section.ContentType, content.Length);
            }
            else
            {
                _values[name] = Encoding.UTF8.GetString(content.GetBuffer(), 0, (int)content.Length);
            }
        }
    }
}
