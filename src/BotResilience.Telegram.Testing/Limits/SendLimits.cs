using BotResilience.Telegram.Testing.Chats;

namespace BotResilience.Telegram.Testing.Limits;

/// <summary>
/// Telegram's documented sending limits, kept lazily from timestamps (no timers): a per-chat token bucket (GCRA),
/// an exact sliding log per group, and exact global logs (normal and paid broadcast). Penalties: after a 429 the
/// scope that failed keeps answering 429 until its <c>retry_after</c> deadline. Not thread-safe: used under the engine's lock.
/// </summary>
internal sealed class SendLimits
{
    private readonly BotApiEmulatorOptions _options;
    private readonly long _perChatInterval;
    private readonly long _perChatTolerance;
    private readonly int _groupLimit;
    private readonly long _groupWindow;
    private readonly SlidingLog _global;
    private readonly SlidingLog _paid;
    private readonly double _ticksPerEmulatedSecond;

    public SendLimits(BotApiEmulatorOptions options)
    {
        _options = options;
        var frequency = (double)options.TimeProvider.TimestampFrequency;
        _ticksPerEmulatedSecond = frequency / options.TimeScale;
        _perChatInterval = Math.Max(1, (long)Math.Round(_ticksPerEmulatedSecond / (options.PerChatPerSecond * options.LimitScale)));
        _perChatTolerance = (options.PerChatBurst - 1) * _perChatInterval;
        _groupLimit = options.ScaledCount(options.PerGroupPerMinute, nameof(options.PerGroupPerMinute));
        _groupWindow = Math.Max(1, (long)Math.Round(60 * _ticksPerEmulatedSecond));
        var second = Math.Max(1, (long)Math.Round(_ticksPerEmulatedSecond));
        _global = new SlidingLog(options.ScaledCount(options.GlobalPerSecond, nameof(options.GlobalPerSecond)), second);
        _paid = new SlidingLog(options.ScaledCount(options.PaidBroadcastPerSecond, nameof(options.PaidBroadcastPerSecond)), second);
    }

    /// <summary>Timestamp until which every send gets 429 (bot-wide penalty); <see cref="long.MinValue"/> when none.</summary>
    public long BotPenaltyUntil { get; set; } = long.MinValue;

    /// <summary>Converts a wait in timestamp units to Telegram's <c>retry_after</c>: emulated seconds, rounded up, at least 1.</summary>
    public int ToRetryAfter(long wait)
    {
        var seconds = Math.Ceiling(wait / _ticksPerEmulatedSecond);
        return seconds < 1 ? 1 : seconds > int.MaxValue ? int.MaxValue : (int)seconds;
    }

    /// <summary>The length, in timestamp units, of <paramref name="retryAfter"/> emulated seconds.</summary>
    public long ToTicks(int retryAfter) => (long)Math.Ceiling(retryAfter * _ticksPerEmulatedSecond);

    /// <summary>Checks a penalty set on the chat or the bot; returns the <c>retry_after</c> to answer, or 0.</summary>
    public int CheckPenalty(EmulatedChat chat, long now)
    {
        var until = Math.Max(BotPenaltyUntil, chat.PenaltyUntil);
        return until > now ? ToRetryAfter(until - now) : 0;
    }

    /// <summary>Admits and records one send, or returns the <c>retry_after</c> to answer (and sets the penalty).</summary>
    public int TryAdmit(EmulatedChat chat, bool paidBroadcast, long now)
    {
        var penalty = CheckPenalty(chat, now);
        if (penalty > 0)
        {
            return penalty;
        }

        if (!_options.EnforceLimits)
        {
            return 0;
        }

        var perChat = chat.IsPrivate || _options.PerChatLimitAppliesToGroups;
        long chatWait = 0;
        if (perChat && chat.PerChatTheoreticalArrival != long.MinValue)
        {
            var allowedAt = chat.PerChatTheoreticalArrival - _perChatTolerance;
            chatWait = Math.Max(0, allowedAt - now);
        }

        if (!chat.IsPrivate)
        {
            chat.GroupLog ??= new SlidingLog(_groupLimit, _groupWindow);
            chatWait = Math.Max(chatWait, chat.GroupLog.GetWait(now));
        }

        var globalWait = _paid.GetWait(now);
        if (!paidBroadcast)
        {
            globalWait = Math.Max(globalWait, _global.GetWait(now));
        }

        if (chatWait > 0 || globalWait > 0)
        {
            var retryAfter = ToRetryAfter(Math.Max(chatWait, globalWait));
            if (_options.PenalizeUntilRetryAfter)
            {
                var until = now + ToTicks(retryAfter);
                if (chatWait > 0)
                {
                    chat.PenaltyUntil = Math.Max(chat.PenaltyUntil, until);
                }

                if (globalWait > 0)
                {
                    BotPenaltyUntil = Math.Max(BotPenaltyUntil, until);
                }
            }

            return retryAfter;
        }

        if (perChat)
        {
            chat.PerChatTheoreticalArrival = Math.Max(chat.PerChatTheoreticalArrival, now) + _perChatInterval;
        }

        chat.GroupLog?.Add(now);
        _paid.Add(now);
        if (!paidBroadcast)
        {
            _global.Add(now);
        }

        return 0;
    }
}
