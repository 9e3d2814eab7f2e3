#:project ../../src/BotResilience/BotResilience.csproj
// CPU cost of continuous monitoring, measured with Process.TotalProcessorTime (BenchmarkDotNet measures wall time,
// not the CPU a background timer burns). Run from the repository root:
//   dotnet run -c Release benchmarks/monitoring-cpu/monitoring-cpu.cs -- [seconds]
// For each configuration it runs the process idle for the same time first (baseline), then with the monitor on.
using System.Diagnostics;
using BotResilience.Monitoring;

var seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
var duration = TimeSpan.FromSeconds(seconds);
Console.WriteLine($"duration per run: {seconds} s, {Environment.ProcessorCount} cores, {Environment.Version}");
// Warm-up: JIT and tier-up of the monitor's code paths, so the measured runs see steady-state cost.
using (var warmUp = new ThreadPoolLagMonitor(new ThreadPoolLagMonitorOptions { Interval = TimeSpan.FromMilliseconds(1) }))
{
    warmUp.Start();
    Thread.Sleep(1500);
}

Console.WriteLine("| Configuration | Probes | CPU with monitor (ms) | CPU idle baseline (ms) | Monitoring CPU per second (ms/s) | CPU per probe (µs) | p50 lag (ms) | p99 lag (ms) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var interval in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10) })
{
    var baseline = Measure(duration, null);
    using var monitor = new ThreadPoolLagMonitor(new ThreadPoolLagMonitorOptions { Interval = interval, SampleCount = 10_000 });
    var withMonitor = Measure(duration, monitor);
    var extra = withMonitor - baseline;
    var probes = monitor.TotalSamples;
    Console.WriteLine(
        $"| Interval {interval.TotalMilliseconds} ms | {probes} | {withMonitor.TotalMilliseconds:F1} | {baseline.TotalMilliseconds:F1} | " +
        $"{extra.TotalMilliseconds / seconds:F3} | {(probes == 0 ? 0 : extra.TotalMicroseconds / probes):F1} | {monitor.Percentile(50).TotalMilliseconds:F2} | {monitor.Percentile(99).TotalMilliseconds:F2} |");
}

static TimeSpan Measure(TimeSpan duration, ThreadPoolLagMonitor? monitor)
{
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var before = process.TotalProcessorTime;
    monitor?.Start();
    Thread.Sleep(duration);
    monitor?.Stop();
    process.Refresh();
    return process.TotalProcessorTime - before;
}
