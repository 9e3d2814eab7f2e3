using BotResilience.CircuitBreaking;
using BotResilience.Concurrency;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Timeouts;

namespace BotResilience.Pipelines;

/// <summary>
/// Composes strategies into a <see cref="ResiliencePipeline"/>. Strategies run <b>outermost first, in the order they
/// are added</b>: the first one added sees the execution first and the result last.
/// </summary>
/// <remarks>
/// <para>Position matters:</para>
/// <list type="bullet">
/// <item><see cref="AddTimeout(TimeSpan)"/> outside <see cref="AddRetry(RetryOptions)"/> is an <b>overall</b> timeout
/// (all attempts and delays together); the retry knows its deadline and fails fast instead of starting a delay that
/// would end after it. Inside the retry it is a <b>per-attempt</b> timeout, and its
/// <see cref="TimeoutRejectedException"/> is retried.</item>
/// <item>A circuit breaker inside the retry counts every attempt; outside it counts whole executions.</item>
/// <item>A rate limiter outside the retry takes one permit per execution; inside it, one per attempt (usually what
/// an upstream API limit needs).</item>
/// <item>A fallback outermost replaces any failure, including <see cref="RateLimitRejectedException"/> and
/// rejections of a broken circuit.</item>
/// </list>
/// <para>The builder validates arguments when a strategy is added; <see cref="Build"/> can be called many times.</para>
/// </remarks>
public sealed class ResiliencePipelineBuilder
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly List<Func<PipelineComponent, PipelineComponent>> _strategies = [];

    /// <summary>Creates a builder.</summary>
    /// <param name="timeProvider">The clock of timeouts, delays and deadlines; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public ResiliencePipelineBuilder(TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The clock of timeouts, delays and deadlines.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Number of strategies added so far.</summary>
    public int Count => _strategies.Count;

    /// <summary>Acquires one permit of <paramref name="limiter"/> per execution (per attempt when added inside a retry).</summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="wait">
    /// <see langword="true"/> (default): wait for the permit (FIFO, cancellable, bounded by enclosing timeouts); a full
    /// wait queue throws <see cref="RateLimitRejectedException"/>. <see langword="false"/>: never wait, throw
    /// <see cref="RateLimitRejectedException"/> with the exact <see cref="RateLimitRejectedException.RetryAfter"/>.
    /// </param>
    /// <returns>This builder.</returns>
    public ResiliencePipelineBuilder AddRateLimiter(IRateLimiter limiter, bool wait = true)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        _strategies.Add(next => new RateLimiterComponent(limiter, wait, next));
        return this;
    }

    /// <summary>Holds every execution while <paramref name="scope"/> of <paramref name="gate"/> is paused.</summary>
    /// <param name="gate">The gate (a <see cref="FloodGate"/> is checked synchronously and without allocating).</param>
    /// <param name="scope">The scope, for example <c>bot</c> or <c>session:main</c>.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// Inside an overall timeout, a pause that lasts at least until the timeout's deadline fails at once with
    /// <see cref="FloodWaitException"/> (carrying the remaining pause) instead of waiting and then timing out.
    /// </remarks>
    public ResiliencePipelineBuilder AddFloodGate(IFloodGate gate, string scope)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        var clock = TimeProvider;
        _strategies.Add(next => new FloodGateComponent(gate, scope, clock, next));
        return this;
    }

    /// <summary>Runs the inner strategies inside a slot of <paramref name="bulkhead"/>, released when they finish.</summary>
    /// <param name="bulkhead">The bulkhead (may be shared by several pipelines).</param>
    /// <param name="priority">Queue priority of this pipeline's executions: lower numbers are served first.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// Waits for a slot (cancellable, bounded by enclosing timeouts); a full queue throws
    /// <see cref="BulkheadRejectedException"/>. Outside a retry one slot is held across all attempts and delays;
    /// inside, the slot is released during retry delays.
    /// </remarks>
    public ResiliencePipelineBuilder AddBulkhead(PriorityBulkhead bulkhead, int priority = 0)
    {
        ArgumentNullException.ThrowIfNull(bulkhead);
        _strategies.Add(next => new BulkheadComponent(bulkhead, priority, next));
        return this;
    }

    /// <summary>Cancels the inner strategies after <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The timeout; greater than zero and at most about 49.7 days (<c>uint.MaxValue - 1</c> ms).</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// Cooperative: the inner strategies and the callback get a token cancelled at the timeout; when the resulting
    /// <see cref="OperationCanceledException"/> reaches the timeout it becomes a <see cref="TimeoutRejectedException"/>.
    /// The caller's own cancellation propagates as <see cref="OperationCanceledException"/> with the caller's token.
    /// An operation that ignores the token and then succeeds returns its result. Outside a retry: overall timeout;
    /// inside: per attempt.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is outside the allowed range.</exception>
    public ResiliencePipelineBuilder AddTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"The timeout must be greater than zero and at most {MaxTimeout}.");
        }

        var clock = TimeProvider;
        _strategies.Add(next => new TimeoutComponent(timeout, clock, next));
        return this;
    }

    /// <summary>Retries failed executions of the inner strategies (see <see cref="RetryOptions"/>).</summary>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range.</exception>
    public ResiliencePipelineBuilder AddRetry(RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RetryOptionsValidation.ThrowIfInvalid(options);
        var snapshot = RetryOptionsValidation.Copy(options);
        var clock = TimeProvider;
        _strategies.Add(next => new RetryComponent(snapshot, clock, next));
        return this;
    }

    /// <summary>
    /// Admits executions through <paramref name="breaker"/>: while it is open (or isolated, or half-open with every
    /// probe in use) executions fail at once with <see cref="BrokenCircuitException"/>; admitted executions report their
    /// outcome (<see cref="CircuitBreaker.IsFailure(Exception)"/> decides what counts as a failure; the caller's
    /// cancellation counts as neither).
    /// </summary>
    /// <param name="breaker">The breaker (may be shared by several pipelines, and used standalone).</param>
    /// <returns>This builder.</returns>
    /// <remarks>Inside a retry every attempt is counted; outside, every execution.</remarks>
    public ResiliencePipelineBuilder AddCircuitBreaker(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        _strategies.Add(next => new CircuitBreakerComponent(breaker, next));
        return this;
    }

    /// <summary>
    /// Replaces failures of the inner strategies with <paramref name="fallback"/>'s result, for executions whose result
    /// type is exactly <typeparamref name="TResult"/>. Executions with another result type (including the void
    /// <see cref="ResiliencePipeline.ExecuteAsync{TState}(Func{TState, CancellationToken, ValueTask}, TState, CancellationToken)"/>)
    /// pass through this strategy untouched.
    /// </summary>
    /// <typeparam name="TResult">The result type the fallback produces.</typeparam>
    /// <param name="fallback">Produces the replacement result from the failure.</param>
    /// <param name="shouldHandle">
    /// Which failures to replace; default every exception except an <see cref="OperationCanceledException"/> of the
    /// caller's token (never replaced).
    /// </param>
    /// <returns>This builder.</returns>
    public ResiliencePipelineBuilder AddFallback<TResult>(
        Func<Exception, CancellationToken, ValueTask<TResult>> fallback, Func<Exception, bool>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        _strategies.Add(next => new FallbackComponent<TResult>(fallback, shouldHandle, next));
        return this;
    }

    /// <summary>Builds the pipeline from the strategies added so far.</summary>
    /// <returns>A thread-safe pipeline; an empty builder gives a pipeline that just runs the callback.</returns>
    public ResiliencePipeline Build()
    {
        PipelineComponent component = CallbackComponent.Instance;
        for (var i = _strategies.Count - 1; i >= 0; i--)
        {
            component = _strategies[i](component);
        }

        return new ResiliencePipeline(component);
    }
}
