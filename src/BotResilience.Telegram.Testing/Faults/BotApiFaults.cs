using System.Globalization;

namespace BotResilience.Telegram.Testing;

/// <summary>
/// Fault injection for a <see cref="BotApiEmulator"/>, thread-safe and changeable while requests are running.
/// Request faults (<see cref="FailNext"/>, <see cref="DropNext"/>, <see cref="TooManyRequestsNext"/>) are queued
/// rules: each request consumes at most one, the oldest that matches it.
/// </summary>
public sealed class BotApiFaults
{
    private readonly object _gate = new();
    private readonly List<FaultRule> _rules = [];
    private readonly Random _random;
    private readonly Action<long?, int> _flood;
    private readonly Action<long, long?> _migrate;
    private readonly Action<long?, bool> _block;
    private TimeSpan _latency;
    private TimeSpan _jitter;

    internal BotApiFaults(Random random, Action<long?, int> flood, Action<long, long?> migrate, Action<long?, bool> block)
    {
        _random = random;
        _flood = flood;
        _migrate = migrate;
        _block = block;
    }

    internal enum FaultKind
    {
        ServerError,
        Drop,
        TooManyRequests,
    }

    /// <summary>Gets the number of request faults still queued.</summary>
    public int PendingFaultCount
    {
        get
        {
            lock (_gate)
            {
                return _rules.Count;
            }
        }
    }

    /// <summary>Answers the next <paramref name="count"/> requests (of <paramref name="method"/>, or of any method) with a 5xx status and a Telegram-style error body.</summary>
    /// <param name="count">How many requests fail; at least 1.</param>
    /// <param name="statusCode">500 to 599; 500 by default (502 mimics Telegram's front-end).</param>
    /// <param name="method">The method to fail (case-insensitive), or <see langword="null"/> for any.</param>
    public void FailNext(int count, int statusCode = 500, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (statusCode is < 500 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "statusCode must be between 500 and 599.");
        }

        Add(new FaultRule(FaultKind.ServerError, method, count, statusCode));
    }

    /// <summary>Drops the connection of the next <paramref name="count"/> requests: Kestrel aborts it; the in-memory handler throws <see cref="HttpRequestException"/>.</summary>
    /// <param name="count">How many requests are dropped; at least 1.</param>
    /// <param name="method">The method to drop (case-insensitive), or <see langword="null"/> for any.</param>
    public void DropNext(int count, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Add(new FaultRule(FaultKind.Drop, method, count, 0));
    }

    /// <summary>Answers the next <paramref name="count"/> message sends (or requests of <paramref name="method"/>) with 429 and the given <c>retry_after</c>, without setting a penalty.</summary>
    /// <param name="count">How many requests get 429; at least 1.</param>
    /// <param name="retryAfterSeconds">The <c>retry_after</c> to report; at least 1.</param>
    /// <param name="method">The method to answer with 429 (any method, case-insensitive), or <see langword="null"/> for the message-sending methods.</param>
    public void TooManyRequestsNext(int count, int retryAfterSeconds, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfterSeconds, 1);
        Add(new FaultRule(FaultKind.TooManyRequests, method, count, retryAfterSeconds));
    }

    /// <summary>Puts one chat in penalty: every send to it gets 429 until <paramref name="retryAfterSeconds"/> (emulated seconds) have passed. Merged with any existing penalty by <c>max</c>.</summary>
    /// <param name="chatId">The chat.</param>
    /// <param name="retryAfterSeconds">At least 1; may be very large (Telegram has answered 73 414).</param>
    public void FloodChat(long chatId, int retryAfterSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfterSeconds, 1);
        _flood(chatId, retryAfterSeconds);
    }

    /// <summary>Puts the whole bot in penalty: every send gets 429 until <paramref name="retryAfterSeconds"/> (emulated seconds) have passed. Merged with any existing penalty by <c>max</c>.</summary>
    /// <param name="retryAfterSeconds">At least 1.</param>
    public void FloodBot(int retryAfterSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfterSeconds, 1);
        _flood(null, retryAfterSeconds);
    }

    /// <summary>Makes every send to <paramref name="chatId"/> answer 400 "Bad Request: group chat was upgraded to a supergroup chat" with <c>parameters.migrate_to_chat_id</c>.</summary>
    /// <param name="chatId">The (group) chat that was upgraded.</param>
    /// <param name="supergroupChatId">The new supergroup id (usually <c>-100…</c>); must differ from <paramref name="chatId"/>.</param>
    public void MigrateChat(long chatId, long supergroupChatId)
    {
        if (supergroupChatId == chatId || supergroupChatId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(supergroupChatId), supergroupChatId, "supergroupChatId must be non-zero and differ from chatId.");
        }

        _migrate(chatId, supergroupChatId);
    }

    /// <summary>Makes every send to the private chat <paramref name="chatId"/> answer 403 "Forbidden: bot was blocked by the user" (until <see cref="UnblockChat"/> or <see cref="Clear"/>).</summary>
    /// <param name="chatId">The chat (any id; the description is Telegram's for private chats).</param>
    public void BlockChat(long chatId) => _block(chatId, true);

    /// <summary>Undoes <see cref="BlockChat"/> for <paramref name="chatId"/>.</summary>
    /// <param name="chatId">The chat.</param>
    public void UnblockChat(long chatId) => _block(chatId, false);

    /// <summary>Delays every request by <paramref name="latency"/> plus a uniform random extra in [0, <paramref name="jitter"/>], measured on the emulator's <see cref="TimeProvider"/> (not scaled).</summary>
    /// <param name="latency">Zero or more.</param>
    /// <param name="jitter">Zero or more.</param>
    public void SetLatency(TimeSpan latency, TimeSpan jitter = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(jitter, TimeSpan.Zero);
        lock (_gate)
        {
            _latency = latency;
            _jitter = jitter;
        }
    }

    /// <summary>Removes the latency set by <see cref="SetLatency"/>.</summary>
    public void ClearLatency() => SetLatency(TimeSpan.Zero);

    /// <summary>Removes every queued request fault, the latency, every migration and block; lifts every penalty (forced or earned).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _latency = TimeSpan.Zero;
            _jitter = TimeSpan.Zero;
        }

        _migrate(0, null);
        _flood(null, 0);
        _block(null, false);
    }

    internal TimeSpan NextLatency()
    {
        lock (_gate)
        {
            if (_jitter <= TimeSpan.Zero)
            {
                return _latency;
            }

            return _latency + (_jitter * _random.NextDouble());
        }
    }

    internal bool TryTake(string method, bool isSend, out FaultKind kind, out int value)
    {
        lock (_gate)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var rule = _rules[i];
                var matches = rule.Method is null
                    ? rule.Kind != FaultKind.TooManyRequests || isSend
                    : string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase);
                if (!matches)
                {
                    continue;
                }

                kind = rule.Kind;
                value = rule.Value;
                if (--rule.Remaining == 0)
                {
                    _rules.RemoveAt(i);
                }

                return true;
            }
        }

        kind = default;
        value = 0;
        return false;
    }

    private void Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    private sealed class FaultRule(FaultKind kind, string? method, int remaining, int value)
    {
        public FaultKind Kind { get; } = kind;

        public string? Method { get; } = method;

        public int Remaining { get; set; } = remaining;

        public int Value { get; } = value;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind} x{Remaining} {Method}");
    }
}
