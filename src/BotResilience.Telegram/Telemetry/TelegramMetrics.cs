using System.Diagnostics.Metrics;

namespace BotResilience.Telegram;

/// <summary>
/// The adapter's instruments, on its own <see cref="Meter"/> named <c>BotResilience</c> (the core's meter is internal to the core).
/// Tags never carry the bot token: methods, outcomes, lanes and update kinds only.
/// </summary>
internal static class TelegramMetrics
{
    public static readonly Meter Meter = new("BotResilience", typeof(TelegramMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("botresilience.telegram.requests", description: "Bot API requests by method and outcome.");
    private static readonly Counter<long> FloodWaits = Meter.CreateCounter<long>("botresilience.telegram.flood_waits", description: "Bot API 429 responses received.");
    private static readonly Histogram<double> FloodWaitSeconds = Meter.CreateHistogram<double>("botresilience.telegram.flood_wait.duration", "s", "retry_after of the 429s received.");
    private static readonly UpDownCounter<long> QueueLength = Meter.CreateUpDownCounter<long>("botresilience.telegram.queue.length", description: "Sending requests waiting for a turn, by lane.");
    private static readonly Histogram<double> SendWait = Meter.CreateHistogram<double>("botresilience.telegram.send.wait", "s", "Time a sending request waited for its turn.");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("botresilience.telegram.retries", description: "Retries after 5xx or network errors.");
    private static readonly Counter<long> Updates = Meter.CreateCounter<long>("botresilience.telegram.updates", description: "Updates seen by the dispatcher, by outcome.");
    private static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>("botresilience.telegram.handler.duration", "s", "Update handler duration.");
    private static readonly Counter<long> Webhook = Meter.CreateCounter<long>("botresilience.telegram.webhook.requests", description: "Webhook requests by status code.");

    private static readonly KeyValuePair<string, object?> Interactive = new("lane", "interactive");
    private static readonly KeyValuePair<string, object?> Bulk = new("lane", "bulk");

    public static void Request(string method, string outcome)
    {
        if (Requests.Enabled)
        {
            Requests.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public static void FloodWait(string method, TimeSpan retryAfter)
    {
        FloodWaits.Add(1, new KeyValuePair<string, object?>("method", method));
        FloodWaitSeconds.Record(retryAfter.TotalSeconds, new KeyValuePair<string, object?>("method", method));
    }

    public static void QueueChanged(BotApiRequestPriority lane, int delta)
    {
        if (QueueLength.Enabled)
        {
            QueueLength.Add(delta, lane == BotApiRequestPriority.Bulk ? Bulk : Interactive);
        }
    }

    public static void Waited(BotApiRequestPriority lane, TimeSpan wait)
    {
        if (SendWait.Enabled)
        {
            SendWait.Record(wait.TotalSeconds, lane == BotApiRequestPriority.Bulk ? Bulk : Interactive);
        }
    }

    public static void Retry(string method, string reason)
        => Retries.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("reason", reason));

    public static void Update(string outcome)
    {
        if (Updates.Enabled)
        {
            Updates.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public static void Handled(TimeSpan duration, string outcome)
    {
        if (HandlerDuration.Enabled)
        {
            HandlerDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public static void WebhookRequest(int status) => Webhook.Add(1, new KeyValuePair<string, object?>("status", status));
}
