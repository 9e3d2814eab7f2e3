using System.Globalization;

namespace BotResilience.SampleBot.Simulation;

/// <summary>Settings shared by the simulated dependencies.</summary>
/// <param name="DelayScale">Multiplies every delay (tests use small values).</param>
/// <param name="TimeProvider">Clock.</param>
public sealed record SimulationSettings(double DelayScale, TimeProvider TimeProvider)
{
    /// <summary>A uniformly random delay between <paramref name="minSeconds"/> and <paramref name="maxSeconds"/>, scaled.</summary>
    /// <param name="minSeconds">Minimum.</param>
    /// <param name="maxSeconds">Maximum.</param>
    public TimeSpan Between(double minSeconds, double maxSeconds) =>
        TimeSpan.FromSeconds((minSeconds + (Random.Shared.NextDouble() * (maxSeconds - minSeconds))) * DelayScale);
}

/// <summary>A failure of a simulated dependency.</summary>
public sealed class SimulatedDependencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Message.</param>
    public SimulatedDependencyException(string message) : base(message)
    {
    }
}

/// <summary>Seed 002: the slow "AI" that writes facts about places (3–10 s per call).</summary>
public sealed class SimulatedFactsAi
{
    private readonly SimulationSettings _settings;
    private int _inFlight;
    private int _maxInFlight;
    private long _calls;

    /// <summary>Creates the dependency.</summary>
    /// <param name="settings">Settings.</param>
    public SimulatedFactsAi(SimulationSettings settings) => _settings = settings;

    /// <summary>Probability of an error answer (settable at run time to trip the breaker).</summary>
    public double FailureRate { get; set; } = 0.02;

    /// <summary>Calls currently running.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Highest concurrency ever seen (the bulkhead must keep it ≤ 3).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Calls made.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Generates a fact (slow).</summary>
    /// <param name="place">Place.</param>
    /// <param name="cancellationToken">Cancellation (the caller's timeout).</param>
    public async Task<string> GenerateFactAsync(string place, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }

        try
        {
            await Task.Delay(_settings.Between(3, 10), _settings.TimeProvider, cancellationToken);
            if (Random.Shared.NextDouble() < FailureRate)
            {
                throw new SimulatedDependencyException("AI: 503 model overloaded");
            }

            return string.Create(CultureInfo.InvariantCulture, $"{place} was first mentioned in {1000 + (Math.Abs(place.GetHashCode(StringComparison.Ordinal)) % 900)}.");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>Seed 000: label generation for orders (2–5 s, sometimes failing).</summary>
public sealed class SimulatedLabelGenerator
{
    private readonly SimulationSettings _settings;
    private long _started;

    /// <summary>Creates the dependency.</summary>
    /// <param name="settings">Settings.</param>
    /// <param name="failureRate">Probability that one call fails.</param>
    public SimulatedLabelGenerator(SimulationSettings settings, double failureRate)
    {
        _settings = settings;
        FailureRate = failureRate;
    }

    /// <summary>Probability that one call fails.</summary>
    public double FailureRate { get; set; }

    /// <summary>Calls started.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Generates a shipping label.</summary>
    /// <param name="orderId">Order.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<string> GenerateAsync(long orderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        await Task.Delay(_settings.Between(2, 5), _settings.TimeProvider, cancellationToken);
        if (Random.Shared.NextDouble() < FailureRate)
        {
            throw new SimulatedDependencyException("label service: 502 bad gateway");
        }

        return string.Create(CultureInfo.InvariantCulture, $"LBL-{orderId:D6}-{Random.Shared.Next(1000, 9999)}");
    }
}
