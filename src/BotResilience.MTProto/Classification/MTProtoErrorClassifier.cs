using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace BotResilience.MTProto.Classification;

/// <summary>
/// Classifies exceptions thrown by MTProto clients from their <em>shape</em>, without referencing any client
/// library: an integer <c>Code</c>, <c>X</c> or <c>Seconds</c> field or property (WTelegramClient's
/// <c>TL.RpcException</c> has <c>public readonly int Code, X</c>; a Telethon port has <c>Seconds</c>) and the
/// message (<c>FLOOD_WAIT_X</c>, <c>FLOOD_WAIT_17</c>, "A wait of 17 seconds is required", "429",
/// "transport flood"). Inner exceptions and <see cref="AggregateException"/>s are searched too.
/// </summary>
/// <remarks>
/// Member lookup happens once per exception type (compiled delegates cached in a concurrent dictionary);
/// classification never throws, whatever the exception.
/// </remarks>
public static partial class MTProtoErrorClassifier
{
    private const int MaxExceptionsInspected = 16;

    /// <summary>Classifies <paramref name="exception"/>; never throws.</summary>
    /// <param name="exception">The exception thrown by an MTProto call; <see langword="null"/> gives <see cref="MTProtoErrorKind.NotMTProto"/>.</param>
    /// <returns>The most specific classification found in the exception or its inner exceptions.</returns>
    public static MTProtoError Classify(Exception? exception) => Classify(exception, ExceptionShapeCache.Shared);

    internal static MTProtoError Classify(Exception? exception, ExceptionShapeCache cache)
    {
        if (exception is null)
        {
            return MTProtoError.NotMTProto(null);
        }

        MTProtoError? firstOther = null;
        Stack<Exception>? pending = null; // only for AggregateExceptions: a plain InnerException chain allocates nothing
        var current = exception;
        for (var inspected = 0; current is not null && inspected < MaxExceptionsInspected; inspected++)
        {
            var result = ClassifySingle(current, cache);
            if (result.Kind is MTProtoErrorKind.FloodWait or MTProtoErrorKind.PeerFlood or MTProtoErrorKind.TransportFlood)
            {
                return result;
            }

            if (result.Kind == MTProtoErrorKind.Other)
            {
                firstOther ??= result;
            }

            Exception? next = null;
            if (current is AggregateException aggregate)
            {
                var inner = aggregate.InnerExceptions;
                pending ??= new Stack<Exception>();
                for (var i = inner.Count - 1; i >= 0; i--)
                {
                    if (inner[i] is { } e)
                    {
                        pending.Push(e);
                    }
                }
            }
            else if (current.InnerException is { } innerException && !ReferenceEquals(innerException, current))
            {
                next = innerException;
            }

            if (next is null && pending is { Count: > 0 })
            {
                next = pending.Pop();
            }

            current = next;
        }

        return firstOther ?? MTProtoError.NotMTProto(exception);
    }

    private static MTProtoError ClassifySingle(Exception exception, ExceptionShapeCache cache)
    {
        if (exception is OperationCanceledException)
        {
            return MTProtoError.NotMTProto(exception);
        }

        var shape = cache.Get(exception.GetType());
        string message;
        try
        {
            message = exception.Message ?? string.Empty;
        }
#pragma warning disable CA1031 // An overridden Message that throws must not break classification.
        catch (Exception)
#pragma warning restore CA1031
        {
            message = string.Empty;
        }

        var code = shape.ReadCode(exception);
        var codeValue = code is { } c && c is >= int.MinValue and <= int.MaxValue ? (int)c : 0;
        var x = shape.ReadX(exception);
        var seconds = shape.ReadSeconds(exception);

        // 1. An RPC error name carrying a wait: FLOOD_WAIT_X, FLOOD_PREMIUM_WAIT_X, SLOWMODE_WAIT_X, *_DELAY_X, FLOOD_WAIT_17...
        foreach (var waitName in WaitNameRegex().EnumerateMatches(message))
        {
            var span = message.AsSpan(waitName.Index, waitName.Length);
            var separator = span.LastIndexOf('_');
            var digits = span[(separator + 1)..];
            var wait = digits is not "X" && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : ToSeconds(x) ?? ToSeconds(seconds) ?? 0;
            var name = waitName.Length == message.Length && digits is "X" ? message : NormalisedWaitName(span[..separator]);
            return new MTProtoError(MTProtoErrorKind.FloodWait, wait, name, codeValue == 0 ? 420 : codeValue, exception);
        }

        // 2. Telethon-style text ("A wait of 17 seconds is required ...") or a Seconds member on a *Wait* error type.
        var telethonSeconds = TelethonSeconds(message);
        if (telethonSeconds is not null || (seconds is not null && IsWaitTypeName(shape.TypeName)))
        {
            var wait = ToSeconds(seconds) ?? telethonSeconds ?? 0;
            return new MTProtoError(MTProtoErrorKind.FloodWait, wait, TelethonName(shape.TypeName), codeValue == 0 ? 420 : codeValue, exception);
        }

        // 3. PEER_FLOOD: the account is limited.
        if (PeerFloodRegex().IsMatch(message) || shape.TypeName.Equals("PeerFloodError", StringComparison.Ordinal)
            || shape.TypeName.Equals("PeerFloodException", StringComparison.Ordinal))
        {
            return new MTProtoError(MTProtoErrorKind.PeerFlood, 0, "PEER_FLOOD", codeValue == 0 ? 400 : codeValue, exception);
        }

        // 4. Code 420 with a positive X but an unfamiliar name: still a server-given wait.
        if (codeValue == 420 && ToSeconds(x) is > 0 and var x420)
        {
            return new MTProtoError(MTProtoErrorKind.FloodWait, x420, RpcName(message), 420, exception);
        }

        // 5. Transport flood: code 429 (or -429 as in the MTProto transport), HTTP 429, "429" or "transport flood" in the text.
        if (codeValue is 429 or -429
            || exception is HttpRequestException { StatusCode: HttpStatusCode.TooManyRequests }
            || ((codeValue == 0) && (Transport429Regex().IsMatch(message) || message.Contains("transport flood", StringComparison.OrdinalIgnoreCase))))
        {
            return new MTProtoError(MTProtoErrorKind.TransportFlood, 0, "TRANSPORT_FLOOD", 429, exception);
        }

        // 6. Any other exception with an integer Code is an MTProto (RPC) error of another kind.
        if (code is not null)
        {
            return new MTProtoError(MTProtoErrorKind.Other, 0, RpcName(message), codeValue, exception);
        }

        return MTProtoError.NotMTProto(exception);
    }

    private static int? ToSeconds(long? value) => value is { } v && v >= 0 ? (int)Math.Min(v, int.MaxValue) : null;

    private static bool IsWaitTypeName(string typeName) =>
        typeName.EndsWith("WaitError", StringComparison.Ordinal) || typeName.EndsWith("WaitException", StringComparison.Ordinal);

    private static string TelethonName(string typeName) => typeName switch
    {
        "SlowModeWaitError" => "SLOWMODE_WAIT_X",
        "FloodPremiumWaitError" => "FLOOD_PREMIUM_WAIT_X",
        "FloodTestPhoneWaitError" => "FLOOD_TEST_PHONE_WAIT_X",
        _ => "FLOOD_WAIT_X",
    };

    private static string? RpcName(string message)
    {
        if (!RpcNameRegex().IsMatch(message))
        {
            return null;
        }

        return char.IsAsciiDigit(message[^1]) ? DigitsRegex().Replace(message, "X") : message;
    }

    private static int? TelethonSeconds(string message)
    {
        foreach (var match in TelethonWaitRegex().EnumerateMatches(message))
        {
            // "A wait of 17 seconds is required": the digits follow the 10-character "A wait of ".
            var digits = message.AsSpan(match.Index + 10, match.Length - 10);
            var end = digits.IndexOf(' ');
            return int.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        }

        return null;
    }

    private static string NormalisedWaitName(ReadOnlySpan<char> prefix) => prefix switch
    {
        "FLOOD_WAIT" => "FLOOD_WAIT_X",
        "FLOOD_PREMIUM_WAIT" => "FLOOD_PREMIUM_WAIT_X",
        "SLOWMODE_WAIT" => "SLOWMODE_WAIT_X",
        "FLOOD_TEST_PHONE_WAIT" => "FLOOD_TEST_PHONE_WAIT_X",
        _ => string.Concat(prefix, "_X"),
    };

    [GeneratedRegex(@"(?<![A-Z0-9_])[A-Z0-9][A-Z0-9_]*?_(?:WAIT|DELAY)_(?:X|\d+)(?![A-Za-z0-9_])", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex WaitNameRegex();

    [GeneratedRegex(@"\bA wait of \d+ seconds? is required", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TelethonWaitRegex();

    [GeneratedRegex(@"(?<![A-Z0-9_])PEER_FLOOD(?![A-Z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex PeerFloodRegex();

    [GeneratedRegex(@"(?<![0-9A-Za-z_])-?429(?![0-9A-Za-z_])", RegexOptions.CultureInvariant)]
    private static partial Regex Transport429Regex();

    [GeneratedRegex(@"^[A-Z0-9][A-Z0-9_]*[A-Z0-9X]$", RegexOptions.CultureInvariant)]
    private static partial Regex RpcNameRegex();

    [GeneratedRegex(@"(?<=_)\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex DigitsRegex();
}
