using System.Diagnostics.Metrics;

namespace BotResilience.Telemetry;

/// <summary>
/// The single <see cref="System.Diagnostics.Metrics.Meter"/> every BotResilience component reports to.
/// Listen to it with OpenTelemetry (<c>AddMeter("BotResilience")</c>), <c>dotnet-counters</c> or a
/// <see cref="MeterListener"/>. Instruments cost nothing while nobody listens.
/// </summary>
public static class ResilienceTelemetry
{
    /// <summary>The meter name: <c>BotResilience</c>.</summary>
    public const string MeterName = "BotResilience";

    /// <summary>The meter shared by all components.</summary>
    internal static readonly Meter Meter = new(MeterName, typeof(ResilienceTelemetry).Assembly.GetName().Version?.ToString());
}
