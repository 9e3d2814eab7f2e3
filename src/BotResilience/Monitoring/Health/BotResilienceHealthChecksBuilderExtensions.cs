using BotResilience.CircuitBreaking;
using BotResilience.Monitoring;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the BotResilience health checks.</summary>
public static class BotResilienceHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="WatchdogHealthCheck"/> (tag <c>live</c>), <see cref="ThreadPoolLagHealthCheck"/> (tags <c>live</c>, <c>ready</c>)
    /// and <see cref="CircuitBreakerHealthCheck"/> over the registered <see cref="ICircuitBreakerRegistry"/> (tag <c>ready</c>), each also tagged with <paramref name="tags"/>. A check whose service
    /// (watchdog, lag monitor, breaker registry) is not registered reports Healthy and says so in its description.
    /// Map them with, for example, <c>MapHealthChecks("/health/live", new() { Predicate = r =&gt; r.Tags.Contains("live") })</c>.
    /// </summary>
    /// <param name="builder">The health-checks builder.</param>
    /// <param name="tags">Extra tags for all three checks.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddBotResilienceChecks(this IHealthChecksBuilder builder, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        tags ??= [];

        builder.Add(new HealthCheckRegistration(
            BotResilienceHealthChecks.WatchdogCheckName,
            static sp => sp.GetService<Watchdog>() is { } watchdog
                ? new WatchdogHealthCheck(watchdog)
                : new NotRegisteredHealthCheck("No Watchdog is registered (call AddBotResilienceMonitoring)."),
            failureStatus: null,
            tags: [BotResilienceHealthChecks.LiveTag, .. tags]));

        builder.Add(new HealthCheckRegistration(
            BotResilienceHealthChecks.ThreadPoolCheckName,
            static sp => sp.GetService<ThreadPoolLagMonitor>() is { } monitor
                ? new ThreadPoolLagHealthCheck(monitor, sp.GetService<BotResilienceMonitoringOptions>()?.LagHealthCheck)
                : new NotRegisteredHealthCheck("No ThreadPoolLagMonitor is registered (call AddBotResilienceMonitoring)."),
            failureStatus: null,
            tags: [BotResilienceHealthChecks.LiveTag, BotResilienceHealthChecks.ReadyTag, .. tags]));

        builder.Add(new HealthCheckRegistration(
            BotResilienceHealthChecks.CircuitBreakersCheckName,
            static sp => sp.GetService<ICircuitBreakerRegistry>() is { } registry
                ? new CircuitBreakerHealthCheck(registry)
                : new NotRegisteredHealthCheck("No ICircuitBreakerRegistry is registered."),
            failureStatus: null,
            tags: [BotResilienceHealthChecks.ReadyTag, .. tags]));

        return builder;
    }

    private sealed class NotRegisteredHealthCheck(string description) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy(description));
    }
}
