using BotResilience.Testing;

namespace BotResilience.MTProto.Tests.Setup;

/// <summary>Keeps the README example (README.md) compiling and working, with a stand-in for WTelegram.Client.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Readme_wiring_example_works()
    {
        var time = new ManualTimeProvider();
        using var client = new FakeWTelegramClient();
        var peer = "@durov";
        var cachedHistory = "cached history";

        // --- README example (WTelegramClient) ---
        MTProtoClientSetup.DisableBuiltInFloodRetry(client);       // same as: client.FloodRetryThreshold = -1;
        using var invoker = new MTProtoInvoker(new MTProtoInvokerOptions(), time);
        invoker.FloodWaitObserved += (_, e) => Console.WriteLine($"{e.Session} {e.Method}: {e.ErrorName} {e.Seconds}s");

        var history = await invoker.InvokeAsync("main", ct => client.Messages_GetHistory(peer), method: "messages.getHistory");
        var orCached = await invoker.InvokeAsync(
            "main",
            ct => client.Messages_GetHistory(peer),
            fallback: ct => Task.FromResult(cachedHistory),
            method: "messages.getHistory");
        invoker.Isolate("main");   // kill switch: MTProto off, callers get the fallback (or BrokenCircuitException)
        invoker.Reset("main");
        // --- end of README example ---

        Assert.Equal(-1, client.FloodRetryThreshold);
        Assert.Equal(("history of @durov", "history of @durov"), (history, orCached));
    }

    /// <summary>The members of WTelegram.Client the example uses.</summary>
    private sealed class FakeWTelegramClient : IDisposable
    {
        public int FloodRetryThreshold { get; set; } = 60;

        public Task<string> Messages_GetHistory(string peer) => Task.FromResult("history of " + peer);

        public void Dispose()
        {
        }
    }
}
