using BotResilience.MTProto.Classification;

namespace BotResilience.MTProto;

/// <summary>A wait imposed on a session (server-given flood wait or transport-flood backoff), reported by <see cref="MTProtoInvoker.FloodWaitObserved"/>.</summary>
public sealed class FloodWaitObservedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="session">The session.</param>
    /// <param name="method">The method name given to the invocation, if any.</param>
    /// <param name="kind"><see cref="MTProtoErrorKind.FloodWait"/> or <see cref="MTProtoErrorKind.TransportFlood"/>.</param>
    /// <param name="errorName">The error name (<c>FLOOD_WAIT_X</c>...).</param>
    /// <param name="seconds">The server-given seconds (X) for flood waits; the backoff in whole seconds for transport floods.</param>
    /// <param name="pause">How long the scope is paused (including <see cref="MTProtoInvokerOptions.FloodWaitMargin"/>).</param>
    /// <param name="scope">The flood gate scope paused.</param>
    /// <param name="willRetry">Whether this invocation waits and retries (<see langword="false"/>: it fails fast or gave up).</param>
    public FloodWaitObservedEventArgs(string session, string? method, MTProtoErrorKind kind, string? errorName, int seconds, TimeSpan pause, string scope, bool willRetry)
    {
        Session = session;
        Method = method;
        Kind = kind;
        ErrorName = errorName;
        Seconds = seconds;
        Pause = pause;
        Scope = scope;
        WillRetry = willRetry;
    }

    /// <summary>The session.</summary>
    public string Session { get; }

    /// <summary>The method name given to the invocation, if any.</summary>
    public string? Method { get; }

    /// <summary><see cref="MTProtoErrorKind.FloodWait"/> or <see cref="MTProtoErrorKind.TransportFlood"/>.</summary>
    public MTProtoErrorKind Kind { get; }

    /// <summary>The error name (<c>FLOOD_WAIT_X</c>, <c>SLOWMODE_WAIT_X</c>, <c>TRANSPORT_FLOOD</c>...).</summary>
    public string? ErrorName { get; }

    /// <summary>The server-given seconds (X) for flood waits; the backoff in whole seconds for transport floods.</summary>
    public int Seconds { get; }

    /// <summary>How long the scope is paused.</summary>
    public TimeSpan Pause { get; }

    /// <summary>The flood gate scope paused (<c>mtproto:{session}</c> or <c>mtproto:{session}:{method}</c>).</summary>
    public string Scope { get; }

    /// <summary>Whether this invocation waits and retries.</summary>
    public bool WillRetry { get; }
}
