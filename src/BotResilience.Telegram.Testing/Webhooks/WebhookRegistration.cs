namespace BotResilience.Telegram.Testing.Webhooks;

/// <summary>A webhook set by <c>setWebhook</c>, with its delivery status (what <c>getWebhookInfo</c> reports).</summary>
internal sealed class WebhookRegistration
{
    public WebhookRegistration(Uri url, string? secretToken, int maxConnections, string? allowedUpdates)
    {
        Url = url;
        SecretToken = secretToken;
        MaxConnections = maxConnections;
        AllowedUpdates = allowedUpdates;
        Slots = new SemaphoreSlim(maxConnections, maxConnections);
    }

    public Uri Url { get; }

    public string? SecretToken { get; }

    public int MaxConnections { get; }

    /// <summary>Raw JSON array given to <c>setWebhook</c>, echoed by <c>getWebhookInfo</c>.</summary>
    public string? AllowedUpdates { get; }

    public CancellationTokenSource Stop { get; } = new();

    public SemaphoreSlim Slots { get; }

    public Task Loop { get; set; } = Task.CompletedTask;

    public long LastErrorDate { get; set; }

    public string? LastErrorMessage { get; set; }

    public int InFlight;
}
