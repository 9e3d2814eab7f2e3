namespace BotResilience.Telegram.Outgoing.Fallback;

/// <summary>Minimal consecutive-failure breaker: Closed → Open (break duration) → HalfOpen (one probe).</summary>
internal sealed class FallbackCircuitBreaker
{
    private readonly int _threshold;
    private readonly TimeSpan _breakDuration;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private int _failures;
    private long _openedAt;
    private int _state; // 0 closed, 1 open, 2 half-open (probe in flight)

    public FallbackCircuitBreaker(int threshold, TimeSpan breakDuration, TimeProvider time)
    {
        _threshold = threshold;
        _breakDuration = breakDuration;
        _time = time;
    }

    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _state != 0;
            }
        }
    }

    public bool TryEnter(out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            retryAfter = TimeSpan.Zero;
            if (_state == 0)
            {
                return true;
            }

            var elapsed = _time.GetElapsedTime(_openedAt);
            if (elapsed >= _breakDuration)
            {
                // Open → half-open: one probe; a probe that never reports back is replaced after another break.
                _state = 2;
                _openedAt = _time.GetTimestamp();
                return true;
            }

            retryAfter = _breakDuration - elapsed;
            return false;
        }
    }

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            _state = 0;
        }
    }

    public void RecordFailure()
    {
        lock (_lock)
        {
            _failures++;
            if (_state == 2 || (_state == 0 && _failures >= _threshold))
            {
                _state = 1;
                _openedAt = _time.GetTimestamp();
            }
        }
    }
}
