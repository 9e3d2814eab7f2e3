namespace BotResilience.CircuitBreaking;

/// <summary>
/// Options of a <see cref="CircuitBreaker"/>. Two trip modes: consecutive failures (the default, when
/// <see cref="FailureRatio"/> is <see langword="null"/>) and failure ratio over a sliding sampling window
/// (when <see cref="FailureRatio"/> is set). Validated when the breaker is constructed.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>The longest allowed <see cref="BreakDuration"/> and <see cref="SamplingDuration"/>: one day.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    /// <summary>The shortest allowed <see cref="SamplingDuration"/>: 10 ms.</summary>
    public static readonly TimeSpan MinSamplingDuration = TimeSpan.FromMilliseconds(10);

    /// <summary>The name of the breaker, used in metrics, events, exceptions and the registry.</summary>
    /// <value>Defaults to <c>"default"</c>. Must not be empty.</value>
    public string Name { get; set; } = "default";

    /// <summary>
    /// Consecutive-failure mode (used when <see cref="FailureRatio"/> is <see langword="null"/>): the number of
    /// failures in a row, with no success in between, that opens the circuit.
    /// </summary>
    /// <value>Defaults to 5. Must be at least 1.</value>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>
    /// Ratio mode when set: the circuit opens when, within the last <see cref="SamplingDuration"/>, at least
    /// <see cref="MinimumThroughput"/> outcomes were recorded and the share of failures among them is at least
    /// this value. <see langword="null"/> selects the consecutive-failure mode.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>. When set, must be in (0, 1].</value>
    public double? FailureRatio { get; set; }

    /// <summary>
    /// Ratio mode: the length of the sliding window over which outcomes are counted. The window is a ring of 10
    /// time buckets, so it covers between 90 % and 100 % of this duration (outcomes expire one bucket at a time).
    /// </summary>
    /// <value>Defaults to 30 s. Must be in [10 ms, 1 day].</value>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Ratio mode: the minimum number of outcomes in the window before the ratio can open the circuit.</summary>
    /// <value>Defaults to 10. Must be at least 1.</value>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>How long the circuit stays open before it admits probes (half-open).</summary>
    /// <value>Defaults to 300 s. Must be in (0, 1 day].</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How many probe calls the half-open circuit admits. Further calls are rejected with the time until a new
    /// probe round: if no admitted probe reports an outcome within <see cref="BreakDuration"/>, a new round of
    /// probes is admitted (so a lost probe cannot wedge the circuit).
    /// </summary>
    /// <value>Defaults to 1. Must be at least 1.</value>
    public int HalfOpenProbes { get; set; } = 1;

    /// <summary>
    /// Decides which exceptions count as failures (<see cref="CircuitBreaker.IsFailure(Exception)"/>).
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: every exception except <see cref="OperationCanceledException"/> is a failure.
    /// </value>
    public Func<Exception, bool>? ShouldHandle { get; set; }

    /// <summary>
    /// Called after every state transition, on the thread that caused it and after the breaker's lock was released.
    /// Must not throw: an exception propagates to the caller whose call caused the transition (the transition stays).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public Action<CircuitStateChange>? OnStateChanged { get; set; }

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("CircuitBreakerOptions.Name must not be null or empty.", nameof(Name));
        }

        if (FailureThreshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FailureThreshold), FailureThreshold, "CircuitBreakerOptions.FailureThreshold must be at least 1.");
        }

        if (FailureRatio is { } ratio && !(ratio > 0 && ratio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(FailureRatio), ratio, "CircuitBreakerOptions.FailureRatio must be in (0, 1] or null.");
        }

        if (SamplingDuration < MinSamplingDuration || SamplingDuration > MaxDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(SamplingDuration), SamplingDuration, "CircuitBreakerOptions.SamplingDuration must be in [10 ms, 1 day].");
        }

        if (MinimumThroughput < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumThroughput), MinimumThroughput, "CircuitBreakerOptions.MinimumThroughput must be at least 1.");
        }

        if (BreakDuration <= TimeSpan.Zero || BreakDuration > MaxDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(BreakDuration), BreakDuration, "CircuitBreakerOptions.BreakDuration must be in (0, 1 day].");
        }

        if (HalfOpenProbes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HalfOpenProbes), HalfOpenProbes, "CircuitBreakerOptions.HalfOpenProbes must be at least 1.");
        }
    }
}
