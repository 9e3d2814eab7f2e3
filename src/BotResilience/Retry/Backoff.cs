namespace BotResilience.Retry;

/// <summary>
/// Backoff delays. <c>attempt</c> is 0 for the first retry.
/// <list type="bullet">
/// <item>Constant: <c>Delay</c>; with jitter <c>Delay × (0.75 + 0.5u)</c>.</item>
/// <item>Linear: <c>Delay × (attempt + 1)</c>; with jitter × <c>(0.75 + 0.5u)</c>.</item>
/// <item>Exponential: <c>Delay × 2^attempt</c>; with jitter AWS "decorrelated jitter"
/// <c>d = min(MaxDelay, Delay + u × (3 × previous − Delay))</c>, <c>previous</c> starting at <c>Delay</c>.</item>
/// </list>
/// <c>u</c> is uniform in [0, 1); every result is capped at <c>MaxDelay</c>.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Compute(
        BackoffType type, int attempt, TimeSpan delay, TimeSpan maxDelay, bool jitter, Func<double> random, ref double previousTicks)
    {
        if (delay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        double ticks = delay.Ticks;
        double max = maxDelay.Ticks;
        double result;
        switch (type)
        {
            case BackoffType.Constant:
                result = jitter ? ticks * (0.75 + (0.5 * random())) : ticks;
                break;
            case BackoffType.Linear:
                result = ticks * (attempt + 1.0);
                if (jitter)
                {
                    result *= 0.75 + (0.5 * random());
                }

                break;
            default:
                if (jitter)
                {
                    var previous = previousTicks <= 0 ? ticks : previousTicks;
                    var upper = Math.Min(max, previous * 3);
                    result = ticks + (random() * Math.Max(0, upper - ticks));
                    previousTicks = Math.Min(result, max);
                }
                else
                {
                    result = ticks * Math.Pow(2, Math.Min(attempt, 62));
                }

                break;
        }

        return result >= max ? maxDelay : TimeSpan.FromTicks((long)result);
    }
}
