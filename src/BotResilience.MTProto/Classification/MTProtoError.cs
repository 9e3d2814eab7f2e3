namespace BotResilience.MTProto.Classification;

/// <summary>The classification of one exception thrown by an MTProto call.</summary>
/// <param name="Kind">What the error means.</param>
/// <param name="Seconds">The server-given wait in seconds for <see cref="MTProtoErrorKind.FloodWait"/>; 0 otherwise.</param>
/// <param name="Name">
/// The error name with the digits normalised to <c>X</c> (for example <c>FLOOD_WAIT_X</c>, <c>PEER_FLOOD</c>),
/// or <see langword="null"/> when none was recognised.
/// </param>
/// <param name="Code">The RPC or transport error code (420, 400, 429...), or 0 when unknown.</param>
/// <param name="Exception">
/// The exception (the outer one or one of its inner exceptions) the classification was read from;
/// <see langword="null"/> only for <see cref="MTProtoErrorKind.NotMTProto"/> of a <see langword="null"/> input.
/// </param>
public readonly record struct MTProtoError(MTProtoErrorKind Kind, int Seconds, string? Name, int Code, Exception? Exception)
{
    /// <summary>The classification of an exception that is not an MTProto error.</summary>
    /// <param name="exception">The exception.</param>
    public static MTProtoError NotMTProto(Exception? exception) => new(MTProtoErrorKind.NotMTProto, 0, null, 0, exception);

    /// <summary><see cref="Seconds"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan RetryAfter => TimeSpan.FromSeconds(Seconds);

    /// <summary><see langword="true"/> for <see cref="MTProtoErrorKind.FloodWait"/>.</summary>
    public bool IsFloodWait => Kind == MTProtoErrorKind.FloodWait;
}
