using System.Text.RegularExpressions;

namespace BotResilience.Telegram.Redaction;

/// <summary>
/// Removes Bot API tokens from text before it reaches logs, metrics, events or exception messages:
/// <c>/bot123456:ABC-def/sendMessage</c> becomes <c>/bot&lt;redacted&gt;/sendMessage</c>, and a bare token
/// (<c>123456:ABC-def...</c>) becomes <c>&lt;redacted&gt;</c>.
/// </summary>
public static partial class BotTokenRedactor
{
    /// <summary>The text that replaces a token.</summary>
    public const string Placeholder = "<redacted>";

    /// <summary>Returns <paramref name="text"/> with every Bot API token replaced by <see cref="Placeholder"/>.</summary>
    /// <param name="text">Any text: a URL, a path, an exception message; <see langword="null"/> gives <see langword="null"/>.</param>
    /// <returns>The redacted text (the same instance when nothing had to be redacted).</returns>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.IndexOf(':', StringComparison.Ordinal) < 0)
        {
            return text;
        }

        var result = PathToken().Replace(text, "/bot" + Placeholder);
        return BareToken().Replace(result, Placeholder);
    }

    /// <summary>Returns the redacted form of <paramref name="uri"/> (its whole text, not only the path).</summary>
    /// <param name="uri">The request URI; <see langword="null"/> gives an empty string.</param>
    /// <returns>The redacted URI text.</returns>
    public static string Redact(Uri? uri) => uri is null ? string.Empty : Redact(uri.OriginalString);

    [GeneratedRegex(@"/bot[0-9]+:[A-Za-z0-9_\-]+", RegexOptions.CultureInvariant)]
    private static partial Regex PathToken();

    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9]{3,}:[A-Za-z0-9_\-]{20,}", RegexOptions.CultureInvariant)]
    private static partial Regex BareToken();
}
