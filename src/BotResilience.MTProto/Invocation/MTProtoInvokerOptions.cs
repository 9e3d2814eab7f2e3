using BotResilience.MTProto.Classification;
using BotResilience.RateLimiting;
using BotResilience.Retry;

namespace BotResilience.MTProto;

/// <summary>Options of <see cref="MTProtoInvoker"/>. Validated and copied when the invoker is created.</summary>
/// <remarks>
/// Defaults reproduce the permanent fix of the "MTProto backend freeze" incident: per session 10 calls/s and
/// 200 calls/min (exact sliding windows), flood waits honoured exactly and shared by every caller of the session,
/// waits above 60 s failing fast, <c>PEER_FLOOD</c> never retried, transport floods backed off <c>60·2^n</c> s,
/// other errors retried 3 times 5 s apart, a circuit breaker per session (5 consecutive failures → open 300 s →
/// one half-open probe) and a 30 s timeout per call.
/// </remarks>
public sealed class MTProtoInvokerOptions
{
    /// <summary>
    /// The limits every session must respect, all at once (each session gets its own state). Ignored when
    /// <see cref="Limiter"/> is set.
    /// </summary>
    /// <value>Default: 10 per second and 200 per minute, exact sliding windows, 1000 queued callers each.</value>
    public IList<RateLimitOptions> Limits { get; } = new List<RateLimitOptions>
    {
        new SlidingWindowLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromSeconds(1) },
        new SlidingWindowLimiterOptions { PermitLimit = 200, Window = TimeSpan.FromMinutes(1) },
    };

    /// <summary>
    /// A keyed limiter (key = session name) to use instead of <see cref="Limits"/>, for example one shared by several
    /// processes. Not disposed by the invoker.
    /// </summary>
    /// <value>Default <see langword="null"/>: a <see cref="KeyedRateLimiter{TKey}"/> built from <see cref="Limits"/>.</value>
    public IKeyedRateLimiter<string>? Limiter { get; set; }

    /// <summary>
    /// The gate that remembers flood waits: a flood wait learned by one call pauses the scope for every caller.
    /// Scopes are <c>mtproto:{session}</c> and, with <see cref="PauseMethodScope"/>, <c>mtproto:{session}:{method}</c>.
    /// </summary>
    /// <value>Default <see langword="null"/>: a private in-memory <see cref="Retry.FloodGate"/>.</value>
    public IFloodGate? FloodGate { get; set; }

    /// <summary>
    /// When <see langword="true"/>, a flood wait on a call made with a <c>method</c> name pauses only that method of the
    /// session (Telegram's flood waits are per method; Telethon remembers them per request type); calls of other methods
    /// go on. When <see langword="false"/>, a flood wait pauses the whole session. Transport floods always pause the
    /// whole session.
    /// </summary>
    /// <value>Default <see langword="false"/> (the conservative choice: the whole session waits).</value>
    public bool PauseMethodScope { get; set; }

    /// <summary>The longest flood wait honoured in place; a longer one fails fast with <see cref="FloodWaitException"/>.</summary>
    /// <value>Default 60 s (as WTelegramClient's <c>FloodRetryThreshold</c> and Telethon's <c>flood_sleep_threshold</c>). Allowed: 0 or more.</value>
    public TimeSpan FloodWaitThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Added to every server-given wait before the scope reopens.</summary>
    /// <value>
    /// Default <see cref="TimeSpan.Zero"/>: X is honoured exactly. Telegram rounds X up to whole seconds and the wait is
    /// measured from when the error arrives (after the server sent it), so an exact wait is never early. Seed 001's
    /// <c>seconds + 1</c> is <c>TimeSpan.FromSeconds(1)</c>. Allowed: 0 to 1 hour.
    /// </value>
    public TimeSpan FloodWaitMargin { get; set; } = TimeSpan.Zero;

    /// <summary>Maximum number of retries after the first call, shared by flood waits, transport floods and other errors.</summary>
    /// <value>Default 3. Allowed: 0 to 100.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The delay before retrying an error that is neither a flood wait nor a transport flood.</summary>
    /// <value>Default 5 s. Allowed: 0 to 1 hour.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first transport-flood (transport 429) backoff; the n-th (0-based) is <c>TransportFloodDelay · 2^n</c>.</summary>
    /// <value>Default 60 s. Allowed: greater than 0 and at most <see cref="MaxTransportBackoff"/>.</value>
    public TimeSpan TransportFloodDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The upper bound of any transport-flood backoff.</summary>
    /// <value>Default 300 s. Allowed: at least <see cref="TransportFloodDelay"/> and at most 1 day.</value>
    public TimeSpan MaxTransportBackoff { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>The timeout of one call (each retry gets its own); <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    /// <value>Default 30 s. Allowed: greater than 0, or <see cref="Timeout.InfiniteTimeSpan"/>.</value>
    /// <remarks>
    /// The timeout does not rely on the call honouring its token (WTelegramClient's <c>Invoke</c> takes none): the
    /// invocation stops waiting, the token is cancelled, and a late failure of the abandoned call is observed so it
    /// never becomes an unobserved task exception.
    /// </remarks>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failures of a session that open its circuit.</summary>
    /// <value>Default 5. Allowed: 1 to 1000.</value>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long an opened circuit rejects calls before letting probes through.</summary>
    /// <value>Default 300 s. Allowed: greater than 0 and at most 1 day.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How many calls may probe a half-open circuit at once.</summary>
    /// <value>Default 1. Allowed: 1 to 100.</value>
    public int HalfOpenProbes { get; set; } = 1;

    /// <summary>
    /// Whether flood waits count as circuit-breaker failures. Transport floods, timeouts and retryable errors always do;
    /// <c>PEER_FLOOD</c> and non-retryable RPC errors (4xx answers) never do.
    /// </summary>
    /// <value>
    /// Default <see langword="false"/>: a flood wait is a precise, server-given instruction that the flood gate already
    /// honours, and opening the circuit for <see cref="BreakDuration"/> on a 7 s wait would punish the session far beyond
    /// what Telegram asked. Seed 001 counted them; set <see langword="true"/> for that behaviour.
    /// </value>
    public bool FloodWaitsCountAsFailures { get; set; }

    /// <summary>
    /// Decides whether an error that is neither a flood wait, a transport flood nor <c>PEER_FLOOD</c> is retried (and
    /// counts as a circuit-breaker failure).
    /// </summary>
    /// <value>
    /// Default <see langword="null"/>: everything is retried except RPC errors with a 4xx code (400 <c>CHANNEL_INVALID</c>,
    /// 403 <c>CHAT_WRITE_FORBIDDEN</c>, ...), which are definitive answers.
    /// </value>
    public Func<MTProtoError, bool>? ShouldRetry { get; set; }

    internal MTProtoInvokerOptions Clone()
    {
        var copy = new MTProtoInvokerOptions
        {
            Limiter = Limiter,
            FloodGate = FloodGate,
            PauseMethodScope = PauseMethodScope,
            FloodWaitThreshold = FloodWaitThreshold,
            FloodWaitMargin = FloodWaitMargin,
            MaxRetryAttempts = MaxRetryAttempts,
            RetryDelay = RetryDelay,
            TransportFloodDelay = TransportFloodDelay,
            MaxTransportBackoff = MaxTransportBackoff,
            Timeout = Timeout,
            FailureThreshold = FailureThreshold,
            BreakDuration = BreakDuration,
            HalfOpenProbes = HalfOpenProbes,
            FloodWaitsCountAsFailures = FloodWaitsCountAsFailures,
            ShouldRetry = ShouldRetry,
        };
        copy.Limits.Clear();
        foreach (var limit in Limits)
        {
            copy.Limits.Add(limit);
        }

        return copy;
    }

    internal void Validate()
    {
        var hour = TimeSpan.FromHours(1);
        var day = TimeSpan.FromDays(1);
        if (Limiter is null && Limits.Count == 0)
        {
            throw new ArgumentException($"{nameof(MTProtoInvokerOptions)}.{nameof(Limits)} must contain at least one limit when {nameof(Limiter)} is not set.", nameof(Limits));
        }

        if (Limiter is null)
        {
            for (var i = 0; i < Limits.Count; i++)
            {
                if (Limits[i] is null)
                {
                    throw new ArgumentException($"{nameof(MTProtoInvokerOptions)}.{nameof(Limits)}[{i}] is null.", nameof(Limits));
                }
            }
        }

        Range(nameof(FloodWaitThreshold), FloodWaitThreshold, TimeSpan.Zero, TimeSpan.MaxValue, "0 or more");
        Range(nameof(FloodWaitMargin), FloodWaitMargin, TimeSpan.Zero, hour, "0 to 1 hour");
        if (MaxRetryAttempts is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), MaxRetryAttempts, $"{nameof(MTProtoInvokerOptions)}.{nameof(MaxRetryAttempts)} must be 0 to 100.");
        }

        Range(nameof(RetryDelay), RetryDelay, TimeSpan.Zero, hour, "0 to 1 hour");
        if (TransportFloodDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TransportFloodDelay), TransportFloodDelay, $"{nameof(MTProtoInvokerOptions)}.{nameof(TransportFloodDelay)} must be greater than 0 and at most {nameof(MaxTransportBackoff)}.");
        }

        Range(nameof(MaxTransportBackoff), MaxTransportBackoff, TransportFloodDelay, day, $"{nameof(TransportFloodDelay)} ({TransportFloodDelay}) to 1 day");
        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan && (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMilliseconds(int.MaxValue - 1)))
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, $"{nameof(MTProtoInvokerOptions)}.{nameof(Timeout)} must be greater than 0 (at most ~24.8 days) or Timeout.InfiniteTimeSpan.");
        }

        if (FailureThreshold is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(FailureThreshold), FailureThreshold, $"{nameof(MTProtoInvokerOptions)}.{nameof(FailureThreshold)} must be 1 to 1000.");
        }

        if (BreakDuration <= TimeSpan.Zero || BreakDuration > day)
        {
            throw new ArgumentOutOfRangeException(nameof(BreakDuration), BreakDuration, $"{nameof(MTProtoInvokerOptions)}.{nameof(BreakDuration)} must be greater than 0 and at most 1 day.");
        }

        if (HalfOpenProbes is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(HalfOpenProbes), HalfOpenProbes, $"{nameof(MTProtoInvokerOptions)}.{nameof(HalfOpenProbes)} must be 1 to 100.");
        }
    }

    private static void Range(string name, TimeSpan value, TimeSpan min, TimeSpan max, string allowed)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(MTProtoInvokerOptions)}.{name} must be {allowed}.");
        }
    }
}
