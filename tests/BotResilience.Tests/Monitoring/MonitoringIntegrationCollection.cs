namespace BotResilience.Tests.Monitoring;

/// <summary>Real-time monitoring tests that starve the thread pool or spawn processes: run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MonitoringIntegrationCollection
{
    public const string Name = "Monitoring integration (real time, not parallel)";
}
