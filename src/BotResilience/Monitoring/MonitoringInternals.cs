using System.Runtime.CompilerServices;

// The monitoring benchmarks drive the probe tick directly (QueueOverride, OnTimer, OnProbe) to measure it without the pool.
[assembly: InternalsVisibleTo("BotResilience.Benchmarks")]
