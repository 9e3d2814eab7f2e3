namespace BotResilience.Retry;

/// <summary>Options of the retry strategy (<see cref="Pipelines.ResiliencePipelineBuilder.AddRetry(RetryOptions)"/>).</summary>
/// <remarks>
/// <para>
/// A failure classified as a flood wait (by <see cref="FloodWaitClassifiers"/>, or a <see cref="FloodWaitException"/>)
/// is retried after exactly the server-given wait — never earlier, and not lengthened by the backoff. Waits above
/// <see cref="FloodWaitThreshold"/> fail fast with <see cref="FloodWaitException"/>. Other failures are retried after
/// the backoff (<see cref="BackoffType"/>, <see cref="Delay"/>, <see cref="MaxDelay"/>, <see cref="UseJitter"/>).
/// A <see cref="RateLimiting.RateLimitRejectedException"/> is retried after <c>max(backoff, RetryAfter)</c>.
/// </para>
/// <para>
/// The options are validated and copied when the strategy is added; later changes do not affect built pipelines.
/// </para>
/// </remarks>
public sealed class RetryOptions
{
    /// <summary>Maximum number of retries after the first attempt (0 disables retrying).</summary>
    /// <value>Default 3. Allowed: 0 to <see cref="int.MaxValue"/>.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>How the backoff grows between retries.</summary>
    /// <value>Default <see cref="Retry.BackoffType.Exponential"/>.</value>
    public BackoffType BackoffType { get; set; } = BackoffType.Exponential;

    /// <summary>The base backoff delay.</summary>
    /// <value>Default 1 s. Allowed: 0 to <see cref="MaxDelay"/>.</value>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The upper bound of any backoff delay (does not cap server-given flood waits).</summary>
    /// <value>Default 30 s. Allowed: greater than 0.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether backoff delays are randomised (see <see cref="Retry.BackoffType"/> for the formulas).</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// The longest server-given wait honoured in place; a longer one fails fast with <see cref="FloodWaitException"/>
    /// (Telegram can ask for hours).
    /// </summary>
    /// <value>Default 60 s (as Telegram.Bot, WTelegramClient and Telethon). Allowed: 0 or more.</value>
    public TimeSpan FloodWaitThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Decides which failures are retried. Flood waits are retried (or failed fast) regardless of this predicate.
    /// </summary>
    /// <value>
    /// Default <see langword="null"/>: every exception except an <see cref="OperationCanceledException"/> caused by the
    /// caller's token (which is never retried, whatever this predicate says).
    /// </value>
    public Func<Exception, bool>? ShouldRetry { get; set; }

    /// <summary>Classifiers consulted, in order, before <see cref="ShouldRetry"/>; the first match wins.</summary>
    /// <value>Default empty (adapters add theirs, e.g. the Telegram or MTProto classifier).</value>
    public IList<IFloodWaitClassifier> FloodWaitClassifiers { get; } = new List<IFloodWaitClassifier>();

    /// <summary>
    /// A gate paused by every flood wait (scope = <see cref="FloodWait.Scope"/> ?? <see cref="FloodGateScope"/>) so every
    /// other caller in the scope waits too; each retry also waits for the gate to open first.
    /// </summary>
    /// <value>Default <see langword="null"/> (no shared pause).</value>
    public IFloodGate? FloodGate { get; set; }

    /// <summary>The gate scope used when a flood wait names none (and for the wait before each retry).</summary>
    /// <value>Default <see langword="null"/>: flood waits without a scope do not pause the gate.</value>
    public string? FloodGateScope { get; set; }

    /// <summary>Called before every retry delay (awaited); exceptions it throws abort the execution.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public Func<RetryEventArgs, ValueTask>? OnRetry { get; set; }

    /// <summary>The clock for delays.</summary>
    /// <value>Default <see langword="null"/>: the pipeline builder's clock.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Uniform random numbers in [0, 1) for jitter; tests replace it. Default <see cref="Random.Shared"/>.</summary>
    internal Func<double>? RandomSource { get; set; }
}
