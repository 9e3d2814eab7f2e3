using System.Text;
using BenchmarkDotNet.Attributes;
using BotResilience.Telegram.Testing;

namespace BotResilience.Benchmarks.Emulator;

/// <summary>
/// Cost of one <c>sendMessage</c> round trip through the Bot API emulator, in memory and over loopback HTTP, with the
/// limits enforced (each call targets a fresh chat under a huge global limit, so every call is accepted and checked).
/// Tells the macro broadcast benchmark how much headroom the emulator leaves.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Emulator")]
public class EmulatorThroughputBenchmarks
{
    private BotApiEmulator _emulator = null!;
    private HttpClient _inMemory = null!;
    private HttpClient _loopback = null!;
    private string _inMemoryUrl = null!;
    private string _loopbackUrl = null!;
    private long _chat;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _emulator = await BotApiEmulator.StartNewAsync(new BotApiEmulatorOptions { LimitScale = 10_000, RecordCalls = false });
        _inMemory = _emulator.CreateClient();
        _loopback = new HttpClient();
        _inMemoryUrl = $"{BotApiEmulator.InMemoryBaseAddress}bot{BotApiEmulator.TestToken}/sendMessage";
        _loopbackUrl = $"{_emulator.BaseAddress}bot{BotApiEmulator.TestToken}/sendMessage";
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _inMemory.Dispose();
        _loopback.Dispose();
        await _emulator.DisposeAsync();
    }

    [IterationCleanup]
    public void ForgetMessages() => _emulator.ClearRecords();

    [Benchmark(Baseline = true)]
    public Task<int> SendMessage_InMemory() => SendAsync(_inMemory, _inMemoryUrl);

    [Benchmark]
    public Task<int> SendMessage_Loopback() => SendAsync(_loopback, _loopbackUrl);

    private async Task<int> SendAsync(HttpClient client, string url)
    {
        var chat = Interlocked.Increment(ref _chat);
        using var content = new StringContent($$"""{"chat_id":{{chat}},"text":"hello"}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(url, content);
        return (int)response.StatusCode;
    }
}
