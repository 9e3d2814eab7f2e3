using BotResilience.Retry;

namespace BotResilience.MTProto.Classification;

/// <summary>
/// An <see cref="IFloodWaitClassifier"/> for MTProto errors (WTelegramClient's <c>TL.RpcException</c> 420
/// <c>FLOOD_WAIT_X</c> and friends, Telethon-style flood wait errors), for use with the core retry
/// (<c>RetryOptions.FloodWaitClassifiers</c>) or anywhere a flood wait must be recognised.
/// </summary>
/// <remarks>
/// Only server-given waits are reported (<see cref="MTProtoErrorKind.FloodWait"/>). <c>PEER_FLOOD</c> and
/// transport floods carry no wait and are not flood waits here; use <see cref="MTProtoErrorClassifier"/> for them.
/// </remarks>
public sealed class MTProtoFloodWaitClassifier : IFloodWaitClassifier
{
    /// <summary>Creates a classifier whose waits apply to the caller's default scope.</summary>
    public MTProtoFloodWaitClassifier()
    {
    }

    /// <summary>Creates a classifier whose waits apply to <paramref name="scope"/>.</summary>
    /// <param name="scope">The flood gate scope reported with every wait (for example <c>session:main</c>); <see langword="null"/> for the caller's default.</param>
    public MTProtoFloodWaitClassifier(string? scope) => Scope = scope;

    /// <summary>A shared instance with the caller's default scope.</summary>
    public static MTProtoFloodWaitClassifier Instance { get; } = new();

    /// <summary>The scope reported with each wait; <see langword="null"/> means the caller's default scope.</summary>
    public string? Scope { get; }

    /// <inheritdoc />
    public bool TryClassify(Exception exception, out FloodWait floodWait)
    {
        var error = MTProtoErrorClassifier.Classify(exception);
        if (error.Kind == MTProtoErrorKind.FloodWait)
        {
            floodWait = new FloodWait(error.RetryAfter, Scope);
            return true;
        }

        floodWait = default;
        return false;
    }
}
