// TEMPORARY stand-in until feat/breaker merges (see README.md in this folder).
#pragma warning disable CS1591
namespace BotResilience.CircuitBreaking
{
    public enum CircuitState { Closed, Open, HalfOpen, Isolated }

    public sealed record CircuitStateChange(string Name, CircuitState From, CircuitState To);

    public sealed class CircuitBreakerOptions
    {
        public string Name { get; set; } = "default";
        public int FailureThreshold { get; set; } = 5;
        public double? FailureRatio { get; set; }
        public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
        public int MinimumThroughput { get; set; } = 10;
        public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(300);
        public int HalfOpenProbes { get; set; } = 1;
        public Func<Exception, bool>? ShouldHandle { get; set; }
        public Action<CircuitStateChange>? OnStateChanged { get; set; }
    }

    public sealed class CircuitBreaker
    {
        private readonly CircuitBreakerOptions _o;
        private readonly TimeProvider _time;
        private readonly Lock _lock = new();
        private CircuitState _state;
        private int _failures;
        private int _probes;
        private long _openedAt;

        public CircuitBreaker(CircuitBreakerOptions options, TimeProvider? timeProvider = null) { _o = options; _time = timeProvider ?? TimeProvider.System; }

        public string Name => _o.Name;

        public CircuitState State { get { lock (_lock) { Refresh(); return _state; } } }

        public event EventHandler<CircuitStateChange>? StateChanged;

        public bool TryEnter(out TimeSpan retryAfter)
        {
            lock (_lock)
            {
                Refresh();
                retryAfter = TimeSpan.Zero;
                switch (_state)
                {
                    case CircuitState.Closed: return true;
                    case CircuitState.HalfOpen when _probes < _o.HalfOpenProbes: _probes++; return true;
                    case CircuitState.Isolated: retryAfter = _o.BreakDuration; return false;
                    default: retryAfter = Remaining(); return false;
                }
            }
        }

        public void RecordSuccess() { lock (_lock) { _failures = 0; if (_state == CircuitState.HalfOpen) { Move(CircuitState.Closed); } } }

        public void RecordFailure()
        {
            lock (_lock)
            {
                if (_state == CircuitState.HalfOpen || (_state == CircuitState.Closed && ++_failures >= _o.FailureThreshold))
                {
                    _openedAt = _time.GetTimestamp();
                    Move(CircuitState.Open);
                }
            }
        }

        public void Isolate() { lock (_lock) { Move(CircuitState.Isolated); } }

        public void Reset() { lock (_lock) { _failures = 0; Move(CircuitState.Closed); } }

        private TimeSpan Remaining() { TimeSpan r = _o.BreakDuration - _time.GetElapsedTime(_openedAt); return r > TimeSpan.Zero ? r : TimeSpan.Zero; }

        private void Refresh() { if (_state == CircuitState.Open && Remaining() == TimeSpan.Zero) { _probes = 0; Move(CircuitState.HalfOpen); } }

        private void Move(CircuitState to)
        {
            if (_state == to) { return; }
            var change = new CircuitStateChange(Name, _state, to);
            _state = to;
            _o.OnStateChanged?.Invoke(change);
            StateChanged?.Invoke(this, change);
        }
    }

    public sealed class BrokenCircuitException : Exception
    {
        public BrokenCircuitException(string circuitName, TimeSpan retryAfter, CircuitState state) : base($"Circuit '{circuitName}' is {state}; retry after {retryAfter}.") { CircuitName = circuitName; RetryAfter = retryAfter; State = state; }
        public string CircuitName { get; }
        public TimeSpan RetryAfter { get; }
        public CircuitState State { get; }
    }
}

namespace BotResilience.Concurrency
{
    public sealed class PriorityBulkheadOptions
    {
        public int MaxConcurrency { get; set; } = 3;
        public int QueueLimit { get; set; } = 50;
        public string Name { get; set; } = "default";
    }

    public sealed class PriorityBulkhead
    {
        private readonly PriorityBulkheadOptions _o;
        private readonly Lock _lock = new();
        private readonly PriorityQueue<TaskCompletionSource, (int, long)> _queue = new();
        private long _seq;
        private int _current;

        public PriorityBulkhead(PriorityBulkheadOptions options, TimeProvider? timeProvider = null) => _o = options;

        public int CurrentCount { get { lock (_lock) { return _current; } } }

        public int QueueLength { get { lock (_lock) { return _queue.Count; } } }

        public async ValueTask<BulkheadLease> AcquireAsync(int priority = 0, CancellationToken cancellationToken = default)
        {
            TaskCompletionSource tcs;
            lock (_lock)
            {
                if (_current < _o.MaxConcurrency) { _current++; return new BulkheadLease(this); }
                if (_queue.Count >= _o.QueueLimit) { throw new BulkheadRejectedException(_o.Name, _queue.Count); }
                tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _queue.Enqueue(tcs, (priority, _seq++));
            }

            using (cancellationToken.Register(static t => ((TaskCompletionSource)t!).TrySetCanceled(), tcs))
            {
                await tcs.Task.ConfigureAwait(false);
            }

            return new BulkheadLease(this);
        }

        public bool TryAcquire(int priority, out BulkheadLease lease)
        {
            lock (_lock)
            {
                if (_current < _o.MaxConcurrency) { _current++; lease = new BulkheadLease(this); return true; }
            }

            lease = default;
            return false;
        }

        internal void Release()
        {
            lock (_lock)
            {
                while (_queue.TryDequeue(out TaskCompletionSource? next, out _))
                {
                    if (next.TrySetResult()) { return; }
                }

                _current--;
            }
        }
    }

    public readonly struct BulkheadLease : IDisposable
    {
        private readonly PriorityBulkhead? _owner;
        internal BulkheadLease(PriorityBulkhead owner) => _owner = owner;
        public void Dispose() => _owner?.Release();
    }

    public sealed class BulkheadRejectedException : Exception
    {
        public BulkheadRejectedException(string bulkheadName, int queueLength) : base($"Bulkhead '{bulkheadName}' is full ({queueLength} queued).") { BulkheadName = bulkheadName; QueueLength = queueLength; }
        public string BulkheadName { get; }
        public int QueueLength { get; }
    }
}
