namespace BotResilience.Monitoring;

/// <summary>A consistent snapshot of a <see cref="ThreadPoolLagMonitor"/> and the process thread pool.</summary>
/// <param name="CurrentLag">The lag of the latest probe, or how overdue the pending probe already is, whichever is larger.</param>
/// <param name="MaxLag">The largest lag among the retained samples (and the pending probe).</param>
/// <param name="P50">The median of the retained samples.</param>
/// <param name="P95">The 95th percentile of the retained samples.</param>
/// <param name="P99">The 99th percentile of the retained samples.</param>
/// <param name="SampleCount">How many samples are retained (at most <see cref="ThreadPoolLagMonitorOptions.SampleCount"/>).</param>
/// <param name="TotalSamples">How many probes completed since the monitor was created.</param>
/// <param name="ThreadCount">The thread pool's <see cref="ThreadPool.ThreadCount"/>.</param>
/// <param name="PendingWorkItemCount">The thread pool's <see cref="ThreadPool.PendingWorkItemCount"/>.</param>
/// <param name="CompletedWorkItemCount">The thread pool's <see cref="ThreadPool.CompletedWorkItemCount"/>.</param>
public readonly record struct ThreadPoolLagSnapshot(
    TimeSpan CurrentLag,
    TimeSpan MaxLag,
    TimeSpan P50,
    TimeSpan P95,
    TimeSpan P99,
    int SampleCount,
    long TotalSamples,
    int ThreadCount,
    long PendingWorkItemCount,
    long CompletedWorkItemCount);
