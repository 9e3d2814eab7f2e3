using System.Net.Http.Json;
using System.Text.Json;

namespace BotResilience.Telegram.Testing.Tests;

/// <summary>One emulator plus a client over the chosen transport ("http" = Kestrel on loopback, "memory" = in-memory handler).</summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    public const string Token = BotApiEmulator.TestToken;

    private EmulatorHarness(BotApiEmulator emulator, HttpClient client)
    {
        Emulator = emulator;
        Client = client;
    }

    public BotApiEmulator Emulator { get; }

    public HttpClient Client { get; }

    public static async Task<EmulatorHarness> CreateAsync(string transport, BotApiEmulatorOptions? options = null)
    {
        var emulator = new BotApiEmulator(options);
        HttpClient client;
        if (transport == "http")
        {
            await emulator.StartAsync();
            client = new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        }
        else
        {
            client = emulator.CreateClient();
        }

        return new EmulatorHarness(emulator, client);
    }

    /// <summary>
    /// Polls <paramref name="condition"/> in real time (a loaded 2-core CI machine can take far longer than a fixed
    /// sleep to get a request into the emulator); throws <see cref="TimeoutException"/> after <paramref name="bound"/>.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Not reached in time: " + what);
            }

            await Task.Delay(5);
        }
    }

    // Absolute, as real clients build it ("{base}bot{token}/{method}"): a relative "bot1:x/..." would parse as a URI scheme.
    public string Url(string method, string token = Token) => $"{Client.BaseAddress}bot{token}/{method}";

    public async Task<ApiResult> PostJsonAsync(string method, object parameters, string token = Token, CancellationToken cancellationToken = default)
    {
        using var response = await Client.PostAsJsonAsync(Url(method, token), parameters, cancellationToken);
        return await ApiResult.ReadAsync(response);
    }

    public async Task<ApiResult> PostFormAsync(string method, IEnumerable<KeyValuePair<string, string>> parameters, string token = Token)
    {
        using var content = new FormUrlEncodedContent(parameters);
        using var response = await Client.PostAsync(Url(method, token), content);
        return await ApiResult.ReadAsync(response);
    }

    public async Task<ApiResult> PostAsync(string method, HttpContent content, string token = Token)
    {
        using var response = await Client.PostAsync(Url(method, token), content);
        return await ApiResult.ReadAsync(response);
    }

    public async Task<ApiResult> GetAsync(string methodAndQuery, string token = Token)
    {
        using var response = await Client.GetAsync(Url(methodAndQuery, token));
        return await ApiResult.ReadAsync(response);
    }

    public Task<ApiResult> SendMessageAsync(long chatId, string text, bool paid = false)
        => paid
            ? PostJsonAsync("sendMessage", new { chat_id = chatId, text, allow_paid_broadcast = true })
            : PostJsonAsync("sendMessage", new { chat_id = chatId, text });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}

internal sealed record ApiResult(int Status, string Body, JsonElement Root)
{
    public bool Ok => Root.GetProperty("ok").GetBoolean();

    public JsonElement Result => Root.GetProperty("result");

    public string? Description => Root.TryGetProperty("description", out var d) ? d.GetString() : null;

    public int? RetryAfter => Root.TryGetProperty("parameters", out var p) && p.TryGetProperty("retry_after", out var r) ? r.GetInt32() : null;

    public static async Task<ApiResult> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        return new ApiResult((int)response.StatusCode, body, document.RootElement.Clone());
    }
}
