namespace BotResilience.Telegram.Tests.Support;

/// <summary>Timing-sensitive loopback tests run one class at a time (the CI machine has 2 slow cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoopbackCollection
{
    public const string Name = "loopback";
}
