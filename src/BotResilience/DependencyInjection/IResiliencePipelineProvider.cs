using BotResilience.Pipelines;

namespace BotResilience.DependencyInjection;

/// <summary>Resolves the named pipelines registered with <see cref="BotResilienceBuilder.AddPipeline"/>.</summary>
public interface IResiliencePipelineProvider
{
    /// <summary>Returns the pipeline named <paramref name="name"/> (built once, on first use, then shared).</summary>
    /// <param name="name">The pipeline name.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline has that name.</exception>
    ResiliencePipeline GetPipeline(string name);
}
