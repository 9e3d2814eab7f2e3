namespace BotResilience.MTProto.Classification;

/// <summary>What an exception means for an MTProto call.</summary>
public enum MTProtoErrorKind
{
    /// <summary>Nothing in the exception (or its inner exceptions) looks like an MTProto error.</summary>
    NotMTProto = 0,

    /// <summary>An MTProto RPC error that is not a flood (for example <c>CHANNEL_INVALID</c> or <c>INTERNAL</c>).</summary>
    Other = 1,

    /// <summary>
    /// A server-given wait: <c>FLOOD_WAIT_X</c>, <c>FLOOD_PREMIUM_WAIT_X</c>, <c>SLOWMODE_WAIT_X</c>,
    /// <c>FLOOD_TEST_PHONE_WAIT_X</c>, <c>*_DELAY_X</c> (error 420) or a Telethon-style "A wait of X seconds is required".
    /// <see cref="MTProtoError.Seconds"/> holds X.
    /// </summary>
    FloodWait = 2,

    /// <summary><c>PEER_FLOOD</c> (400, no seconds): the account is limited. Never retry.</summary>
    PeerFlood = 3,

    /// <summary>Transport-level 429 ("transport flood"): no server-given wait; back off exponentially.</summary>
    TransportFlood = 4,
}
