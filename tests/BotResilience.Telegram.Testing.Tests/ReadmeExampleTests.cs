using System.Net.Http.Json;

namespace BotResilience.Telegram.Testing.Tests;

/// <summary>Keeps the README example (README.md) compiling and true.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Readme_example()
    {
        // --- README example start ---
        await using var emulator = await BotApiEmulator.StartNewAsync();   // Kestrel on 127.0.0.1, random port
        using var http = new HttpClient();
        var sendMessage = $"{emulator.BaseAddress}bot{BotApiEmulator.TestToken}/sendMessage";

        for (var i = 0; i < 5; i++)   // 5 messages at once to one private chat: 3 pass (burst), 2 get 429
        {
            using var response = await http.PostAsJsonAsync(sendMessage, new { chat_id = 42, text = $"hello {i}" });
        }

        emulator.SendUserMessage(userId: 42, "/start");       // delivered by getUpdates (or to the webhook)
        emulator.Faults.FailNext(1, statusCode: 502);          // the next request answers 502 Bad Gateway

        Console.WriteLine($"{emulator.SentMessages.Count} accepted, {emulator.TooManyRequestsCount} x 429");
        // --- README example end ---

        Assert.Equal(3, emulator.SentMessages.Count);
        Assert.Equal(2, emulator.TooManyRequestsCount);
        Assert.Equal(1, emulator.PendingUpdateCount);
        Assert.Equal(1, emulator.Faults.PendingFaultCount);
    }
}
