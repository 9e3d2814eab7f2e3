using System.Collections.Concurrent;
using BotResilience.Pipelines;

namespace BotResilience.DependencyInjection;

/// <summary>Builds each registered pipeline once, on first use.</summary>
internal sealed class ResiliencePipelineProvider(IServiceProvider services, PipelineRegistrations registrations) : IResiliencePipelineProvider
{
    private readonly ConcurrentDictionary<string, Lazy<ResiliencePipeline>> _pipelines = new(StringComparer.Ordinal);

    public ResiliencePipeline GetPipeline(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!registrations.Configurations.TryGetValue(name, out var configure))
        {
            throw new KeyNotFoundException(
                $"No resilience pipeline named '{name}' is registered. Registered: {string.Join(", ", registrations.Configurations.Keys.Order(StringComparer.Ordinal))}.");
        }

        return _pipelines.GetOrAdd(name, _ => new Lazy<ResiliencePipeline>(() =>
        {
            var builder = new ResiliencePipelineBuilder(services.GetService(typeof(TimeProvider)) as TimeProvider);
            configure(builder, services);
            return builder.Build();
        })).Value;
    }
}

/// <summary>The pipeline configurations collected by <see cref="BotResilienceBuilder"/>.</summary>
internal sealed class PipelineRegistrations
{
    public Dictionary<string, Action<ResiliencePipelineBuilder, IServiceProvider>> Configurations { get; } = new(StringComparer.Ordinal);
}
