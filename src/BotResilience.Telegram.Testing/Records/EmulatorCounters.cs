using BotResilience.Telegram.Testing.Updates;

namespace BotResilience.Telegram.Testing;

/// <summary>Thread-safe statistics counters of one emulator.</summary>
internal sealed class EmulatorCounters
{
    public long Requests;
    public long AcceptedMessages;
    public long TooManyRequests;
    public long ServerErrors;
    public long ClientErrors;
    public long DroppedConnections;
    public long WebhookAttempts;
    public long WebhookDeliveries;
    public long WebhookResends;
    public long WebhookFailures;
    public long UpdatesEnqueued;

    /// <summary>Pulsed on every change, for the awaitable test helpers.</summary>
    public AsyncSignal Changed { get; } = new();

    public void Increment(ref long counter)
    {
        Interlocked.Increment(ref counter);
        Changed.Pulse();
    }

    public BotApiEmulatorStatistics Snapshot() => new()
    {
        RequestCount = Interlocked.Read(ref Requests),
        AcceptedMessageCount = Interlocked.Read(ref AcceptedMessages),
        TooManyRequestsCount = Interlocked.Read(ref TooManyRequests),
        ServerErrorCount = Interlocked.Read(ref ServerErrors),
        ClientErrorCount = Interlocked.Read(ref ClientErrors),
        DroppedConnectionCount = Interlocked.Read(ref DroppedConnections),
        WebhookAttemptCount = Interlocked.Read(ref WebhookAttempts),
        WebhookDeliveryCount = Interlocked.Read(ref WebhookDeliveries),
        WebhookResendCount = Interlocked.Read(ref WebhookResends),
        WebhookFailureCount = Interlocked.Read(ref WebhookFailures),
        UpdatesEnqueuedCount = Interlocked.Read(ref UpdatesEnqueued),
    };
}
