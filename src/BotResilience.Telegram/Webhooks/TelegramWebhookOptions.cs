using BotResilience.Telegram.Dispatching;

namespace BotResilience.Telegram.Webhooks;

/// <summary>Options of <see cref="Microsoft.AspNetCore.Builder.TelegramWebhookEndpointExtensions.MapTelegramWebhook"/>.</summary>
public sealed class TelegramWebhookOptions
{
    /// <summary>The dispatcher updates are handed to (required). The endpoint never waits for a handler.</summary>
    public UpdateDispatcher? Dispatcher { get; set; }

    /// <summary>
    /// The <c>secret_token</c> given to <c>setWebhook</c>; requests whose <c>X-Telegram-Bot-Api-Secret-Token</c> differs are
    /// answered 401 (compared in constant time). <see langword="null"/> accepts every request.
    /// </summary>
    public string? SecretToken { get; set; }

    /// <summary>Called first for every request, before the secret check (for example <c>livenessSource.Beat</c>), so a watchdog sees traffic even when the secret is misconfigured.</summary>
    public Action? OnRequest { get; set; }

    /// <summary>The largest accepted body; larger ones get 413.</summary>
    /// <value>Default 1 MiB; 1 KiB to 100 MiB.</value>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The status returned when the dispatcher's queue is full or it is stopping. A non-2xx answer makes Telegram re-send
    /// the update later; with deduplication that is backpressure without loss (answering 200 would drop the update).
    /// </summary>
    /// <value>Default 503; 200 to drop instead, or any 4xx/5xx.</value>
    public int QueueFullStatusCode { get; set; } = 503;

    internal void Validate()
    {
        if (Dispatcher is null)
        {
            throw new ArgumentException("TelegramWebhookOptions.Dispatcher is required.", nameof(Dispatcher));
        }

        if (MaxBodyBytes < 1024 || MaxBodyBytes > 100 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), MaxBodyBytes, "MaxBodyBytes must be between 1024 and 104857600.");
        }

        if (QueueFullStatusCode != 200 && (QueueFullStatusCode < 400 || QueueFullStatusCode > 599))
        {
            throw new ArgumentOutOfRangeException(nameof(QueueFullStatusCode), QueueFullStatusCode, "QueueFullStatusCode must be 200 or between 400 and 599.");
        }
    }
}
