namespace BotResilience.RateLimiting;

/// <summary>
/// Exact sliding window: a ring buffer of the timestamps of the last <c>PermitLimit</c> granted permits.
/// <c>n</c> permits are granted at <c>t</c> iff fewer than <c>PermitLimit - n + 1</c> logged permits lie in
/// <c>(t - Window, t]</c>, so no half-open interval of length <c>Window</c> ever holds more than <c>PermitLimit</c>.
/// </summary>
internal sealed class SlidingLogState : LimitState
{
    private readonly long[] _log;
    private readonly long _window;
    private int _head; // next write position
    private int _count;

    public SlidingLogState(int permitLimit, long windowTicks)
    {
        _log = new long[permitLimit];
        _window = windowTicks;
    }

    public override long GetWait(long now, int permits)
    {
        var log = _log;
        var mustHaveExpired = log.Length - permits + 1; // this most recent logged permit must be outside the window
        if (_count < mustHaveExpired)
        {
            return 0;
        }

        var index = _head - mustHaveExpired;
        if (index < 0)
        {
            index += log.Length;
        }

        var wait = log[index] + _window - now;
        return wait > 0 ? wait : 0;
    }

    public override long TryConsume(long now, int permits)
    {
        var wait = GetWait(now, permits);
        if (wait == 0)
        {
            if (permits == 1)
            {
                // Hot path: one permit, one slot.
                var log = _log;
                log[_head] = Math.Max(now, LastLogged());
                _head = _head + 1 == log.Length ? 0 : _head + 1;
                if (_count < log.Length)
                {
                    _count++;
                }
            }
            else
            {
                Consume(now, permits);
            }
        }

        return wait;
    }

    /// <summary>
    /// Checked at <paramref name="low"/> (at or before the real time: an entry counts as expired only if it is
    /// expired in real time too) and logged at <paramref name="high"/> (at or after the real time: it expires no
    /// earlier than it really does). The log stays non-decreasing because every entry is logged at the maximum of
    /// its time and the last entry (a later entry is only more conservative).
    /// </summary>
    public override bool TryConsumeBounded(long low, long high, int permits)
    {
        if (GetWait(low, permits) != 0)
        {
            return false;
        }

        Consume(high, permits);
        return true;
    }

    public override void Consume(long now, int permits)
    {
        now = Math.Max(now, LastLogged());
        var log = _log;
        var head = _head;
        for (var i = 0; i < permits; i++)
        {
            log[head] = now;
            if (++head == log.Length)
            {
                head = 0;
            }
        }

        _head = head;
        var count = _count + permits;
        _count = count > log.Length ? log.Length : count;
    }

    /// <summary>The most recent logged timestamp, or <see cref="long.MinValue"/> when the log is empty.</summary>
    private long LastLogged() => _count == 0 ? long.MinValue : _log[_head == 0 ? _log.Length - 1 : _head - 1];

    public override long IdleSince()
    {
        if (_count == 0)
        {
            return long.MinValue;
        }

        var last = _head == 0 ? _log.Length - 1 : _head - 1;
        return _log[last] + _window;
    }

    public override long AvailablePermits(long now)
    {
        var inWindow = 0;
        var index = _head;
        for (var i = 0; i < _count; i++)
        {
            index = index == 0 ? _log.Length - 1 : index - 1;
            if (_log[index] + _window <= now)
            {
                break;
            }

            inWindow++;
        }

        return _log.Length - inWindow;
    }
}
