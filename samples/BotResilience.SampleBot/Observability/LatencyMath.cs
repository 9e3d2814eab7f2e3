namespace BotResilience.SampleBot.Observability;

/// <summary>Percentiles over samples.</summary>
public static class LatencyMath
{
    /// <summary>Nearest-rank percentile (0 for no samples).</summary>
    /// <param name="samples">Samples (not modified).</param>
    /// <param name="p">0–100.</param>
    public static double Percentile(IReadOnlyCollection<double> samples, double p)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return 0;
        }

        double[] sorted = [.. samples];
        Array.Sort(sorted);
        int rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
