using System.Reflection;
using BenchmarkDotNet.Attributes;
using BotResilience.MTProto;
using BotResilience.MTProto.Classification;
using BotResilience.RateLimiting;

namespace BotResilience.Benchmarks.MTProto;

/// <summary>An exception with WTelegramClient's RpcException shape (public readonly int Code, X).</summary>
#pragma warning disable CA1032, CA1051, CA1064, SA1401
public sealed class BenchRpcException(int code, string message, int x) : Exception(message)
{
    public readonly int Code = code;
    public readonly int X = x;
}
#pragma warning restore CA1032, CA1051, CA1064, SA1401

/// <summary>Classifying a FLOOD_WAIT_X exception: cached compiled accessors vs reflection lookup per call.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("MTProto")]
public class MTProtoClassificationBenchmarks
{
    private readonly Exception _flood = new BenchRpcException(420, "FLOOD_WAIT_X", 17);
    private readonly Exception _other = new InvalidOperationException("A wait of 17 seconds is required (caused by GetHistoryRequest)");

    [Benchmark(Baseline = true, Description = "reflection per call: GetField(Code/X) + GetValue")]
    public int ReflectionPerCall()
    {
        var type = _flood.GetType();
        var code = (int)type.GetField("Code", BindingFlags.Public | BindingFlags.Instance)!.GetValue(_flood)!;
        var x = (int)type.GetField("X", BindingFlags.Public | BindingFlags.Instance)!.GetValue(_flood)!;
        return code == 420 && _flood.Message.StartsWith("FLOOD_WAIT", StringComparison.Ordinal) ? x : 0;
    }

    [Benchmark(Description = "MTProtoErrorClassifier.Classify(RpcException FLOOD_WAIT_X)")]
    public int ClassifyRpc() => MTProtoErrorClassifier.Classify(_flood).Seconds;

    [Benchmark(Description = "MTProtoErrorClassifier.Classify(Telethon text)")]
    public int ClassifyTelethonText() => MTProtoErrorClassifier.Classify(_other).Seconds;
}

/// <summary>Overhead of MTProtoInvoker on a successful call (limits set high so they never wait).</summary>
[MemoryDiagnoser]
[BenchmarkCategory("MTProto")]
public class MTProtoInvokerBenchmarks
{
    private static readonly Task<int> Completed = Task.FromResult(42);
    private MTProtoInvoker _invoker = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new MTProtoInvokerOptions();
        options.Limits.Clear();
        options.Limits.Add(new TokenBucketLimiterOptions { TokenLimit = int.MaxValue, TokensPerPeriod = int.MaxValue, ReplenishmentPeriod = TimeSpan.FromMilliseconds(1) });
        _invoker = new MTProtoInvoker(options);
    }

    [GlobalCleanup]
    public void Cleanup() => _invoker.Dispose();

    [Benchmark(Baseline = true, Description = "direct await of the call")]
    public async Task<int> Direct() => await Completed.ConfigureAwait(false);

    [Benchmark(Description = "MTProtoInvoker.InvokeAsync state overload, success")]
    public async Task<int> InvokerStateOverload() =>
        await _invoker.InvokeAsync("main", static (t, _) => t, Completed, method: "messages.getHistory").ConfigureAwait(false);

    [Benchmark(Description = "MTProtoInvoker.InvokeAsync closure overload, success")]
    public Task<int> InvokerClosureOverload() => _invoker.InvokeAsync("main", _ => Completed, method: "messages.getHistory");
}
