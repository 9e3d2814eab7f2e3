namespace BotResilience.Telegram.Testing;

/// <summary>A snapshot of an emulator's counters (see <see cref="BotApiEmulator.Statistics"/>).</summary>
public sealed class BotApiEmulatorStatistics
{
    /// <summary>Gets the number of HTTP requests received (every method, every outcome, including dropped ones).</summary>
    public long RequestCount { get; init; }

    /// <summary>Gets the number of messages accepted (<c>sendMessage</c>, <c>sendPhoto</c>, <c>sendDocument</c> answered with ok).</summary>
    public long AcceptedMessageCount { get; init; }

    /// <summary>Gets the number of 429 answers sent.</summary>
    public long TooManyRequestsCount { get; init; }

    /// <summary>Gets the number of 5xx answers sent (all injected).</summary>
    public long ServerErrorCount { get; init; }

    /// <summary>Gets the number of other 4xx answers sent (400, 401, 404, 409).</summary>
    public long ClientErrorCount { get; init; }

    /// <summary>Gets the number of connections dropped by fault injection.</summary>
    public long DroppedConnectionCount { get; init; }

    /// <summary>Gets the number of webhook POSTs made (first sends and re-sends).</summary>
    public long WebhookAttemptCount { get; init; }

    /// <summary>Gets the number of updates delivered to a webhook with a 2xx answer.</summary>
    public long WebhookDeliveryCount { get; init; }

    /// <summary>Gets the number of webhook re-sends (attempts after the first for the same update).</summary>
    public long WebhookResendCount { get; init; }

    /// <summary>Gets the number of failed webhook attempts (non-2xx, connection failure or timeout).</summary>
    public long WebhookFailureCount { get; init; }

    /// <summary>Gets the number of updates injected by the test.</summary>
    public long UpdatesEnqueuedCount { get; init; }
}
