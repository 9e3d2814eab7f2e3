using System.Collections.Concurrent;
using BotResilience.CircuitBreaking;
using BotResilience.Concurrency;
using BotResilience.SampleBot.Observability;
using BotResilience.SampleBot.Simulation;
using BotResilience.SampleBot.Storage;

namespace BotResilience.SampleBot.Features;

/// <summary>Outcome of a fact lookup.</summary>
public enum FactOutcome
{
    /// <summary>Fact found (cache or AI).</summary>
    Ok,

    /// <summary>Queue full: "overloaded, try later".</summary>
    Overloaded,

    /// <summary>The AI is failing and the breaker is open.</summary>
    Unavailable,

    /// <summary>The AI call timed out.</summary>
    TimedOut,

    /// <summary>The AI returned an error.</summary>
    Failed,
}

/// <summary>
/// Seed 002: facts from a slow AI (3–10 s) behind a priority bulkhead of 3 with a bounded queue, a per-call timeout,
/// a circuit breaker and a 1 h cache (memory in front of SQLite).
/// </summary>
public sealed class FactsService
{
    /// <summary>Priority of an explicit /fact (lower runs first).</summary>
    public const int InteractivePriority = 0;

    /// <summary>Priority of facts triggered by live locations.</summary>
    public const int BackgroundPriority = 5;

    private readonly SimulatedFactsAi _ai;
    private readonly IBotStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _ttl;
    private readonly SampleMetrics _metrics;
    private readonly int _concurrency;
    private readonly int _queueLimit;
    private readonly ConcurrentDictionary<string, (string Fact, DateTimeOffset Expires)> _memory = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<Task<(FactOutcome, string?)>>> _inFlight = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the service.</summary>
    /// <param name="ai">The AI.</param>
    /// <param name="store">Store (cache).</param>
    /// <param name="concurrency">Concurrent AI calls.</param>
    /// <param name="queueLimit">Queued calls.</param>
    /// <param name="timeout">Per-call timeout.</param>
    /// <param name="ttl">Cache lifetime.</param>
    /// <param name="breakDuration">Breaker open time.</param>
    /// <param name="metrics">Metrics.</param>
    /// <param name="time">Clock.</param>
    public FactsService(SimulatedFactsAi ai, IBotStore store, int concurrency, int queueLimit, TimeSpan timeout, TimeSpan ttl, TimeSpan breakDuration, SampleMetrics metrics, TimeProvider time)
    {
        _ai = ai;
        _store = store;
        _timeout = timeout;
        _ttl = ttl;
        _metrics = metrics;
        _time = time;
        _concurrency = concurrency;
        _queueLimit = queueLimit;
        Bulkhead = new PriorityBulkhead(new PriorityBulkheadOptions { Name = "facts-ai", MaxConcurrency = concurrency, QueueLimit = queueLimit }, time);
        Breaker = new CircuitBreaker(new CircuitBreakerOptions { Name = "facts-ai", FailureThreshold = 5, BreakDuration = breakDuration }, time);
    }

    /// <summary>The bulkhead (3 running, priority queue).</summary>
    public PriorityBulkhead Bulkhead { get; }

    /// <summary>The breaker around the AI.</summary>
    public CircuitBreaker Breaker { get; }

    /// <summary>Cached facts in memory.</summary>
    public int CachedFacts => _memory.Count;

    /// <summary>A fresh cached fact, or null.</summary>
    /// <param name="place">Place.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<string?> TryGetCachedAsync(string place, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (_memory.TryGetValue(place, out var hit) && hit.Expires > now)
        {
            return hit.Fact;
        }

        string? stored = await _store.GetFactAsync(place, now, cancellationToken);
        if (stored is not null)
        {
            _memory[place] = (stored, now + _ttl);
        }

        return stored;
    }

    /// <summary>
    /// Checks, without waiting, whether a new AI call would be queued or refused right now (the handler uses it
    /// to answer "overloaded" instantly instead of "thinking…").
    /// </summary>
    public bool IsSaturated => Bulkhead.CurrentCount >= _concurrency && Bulkhead.QueueLength >= _queueLimit;

    /// <summary>Gets a fact: cache, else the AI through bulkhead, breaker and timeout. Concurrent asks for the same place share one call.</summary>
    /// <param name="place">Place.</param>
    /// <param name="priority">Bulkhead priority.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<(FactOutcome Outcome, string? Fact)> GetFactAsync(string place, int priority, CancellationToken cancellationToken)
    {
        string? cached = await TryGetCachedAsync(place, cancellationToken);
        if (cached is not null)
        {
            Interlocked.Increment(ref _metrics.FactCacheHits);
            return (FactOutcome.Ok, cached);
        }

        var call = new Lazy<Task<(FactOutcome, string?)>>(() => CallAiAsync(place, priority, cancellationToken));
        Lazy<Task<(FactOutcome, string?)>> shared = _inFlight.GetOrAdd(place, call);
        try
        {
            return await shared.Value;
        }
        finally
        {
            if (ReferenceEquals(shared, call))
            {
                _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<(FactOutcome, string?)>>>(place, call));
            }
        }
    }

    private async Task<(FactOutcome, string?)> CallAiAsync(string place, int priority, CancellationToken cancellationToken)
    {
        BulkheadLease lease;
        try
        {
            lease = await Bulkhead.AcquireAsync(priority, cancellationToken);
        }
        catch (BulkheadRejectedException)
        {
            Interlocked.Increment(ref _metrics.FactsOverloaded);
            return (FactOutcome.Overloaded, null);
        }

        using (lease)
        {
            if (!Breaker.TryEnter(out _))
            {
                Interlocked.Increment(ref _metrics.FactsFailed);
                return (FactOutcome.Unavailable, null);
            }

            using var timeout = new CancellationTokenSource(_timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                string fact = await _ai.GenerateFactAsync(place, linked.Token);
                Breaker.RecordSuccess();
                DateTimeOffset expires = _time.GetUtcNow() + _ttl;
                _memory[place] = (fact, expires);
                await _store.PutFactAsync(place, fact, expires, CancellationToken.None);
                return (FactOutcome.Ok, fact);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Breaker.RecordFailure();
                Interlocked.Increment(ref _metrics.FactsFailed);
                return (FactOutcome.TimedOut, null);
            }
            catch (SimulatedDependencyException)
            {
                Breaker.RecordFailure();
                Interlocked.Increment(ref _metrics.FactsFailed);
                return (FactOutcome.Failed, null);
            }
        }
    }

    /// <summary>Drops expired in-memory facts.</summary>
    public int Sweep()
    {
        DateTimeOffset now = _time.GetUtcNow();
        int n = 0;
        foreach (var p in _memory)
        {
            if (p.Value.Expires <= now && _memory.TryRemove(p))
            {
                n++;
            }
        }

        return n;
    }
}
