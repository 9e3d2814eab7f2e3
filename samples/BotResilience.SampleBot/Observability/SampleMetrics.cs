using System.Diagnostics.Metrics;

namespace BotResilience.SampleBot.Observability;

/// <summary>
/// The sample's own counters (meter <c>BotResilience.SampleBot</c>), read by the console view, the summary and
/// /metrics. Plain fields behind observable instruments: incrementing costs one interlocked add.
/// </summary>
public sealed class SampleMetrics : IDisposable
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "BotResilience.SampleBot";

    private readonly Meter _meter;
    private readonly Histogram<double> _handlerDuration;
    internal long UpdatesReceived;
    internal long DuplicateUpdates;
    internal long RejectedSecret;
    internal long HandlerTimeouts;
    internal long HandlerErrors;
    internal long RepliesSent;
    internal long SendErrors;
    internal long TooManyRequestsReachedApp;
    internal long SpamThrottled;
    internal long SpamWarnings;
    internal long OrdersCreated;
    internal long OrdersDone;
    internal long OrdersFailed;
    internal long OrderAttemptFailures;
    internal long FactRequests;
    internal long FactCacheHits;
    internal long FactsOverloaded;
    internal long FactsFailed;
    internal long FactsDelivered;
    internal long ChannelsRequests;
    internal long ChannelsFallbacks;
    internal long MTProtoFloodWaits;
    internal long LocationSessionsStarted;
    internal long LocationSessionsRejected;
    internal long LocationUpdatesProcessed;
    internal long LocationBatches;
    internal long BroadcastSent;
    internal long BroadcastFailed;
    internal long UnobservedExceptions;
    internal long WorkerIterations;
    internal long WorkerTimeouts;
    internal long WatchdogFired;

    /// <summary>Creates the meter and instruments.</summary>
    /// <param name="gauges">Extra observable gauges (name, unit, description, value).</param>
    public SampleMetrics(IEnumerable<(string Name, string Description, Func<double> Value)>? gauges = null)
    {
        _meter = new Meter(MeterName);
        Counter("updates", "Updates received", () => UpdatesReceived);
        Counter("updates.duplicate", "Duplicate update_id dropped", () => DuplicateUpdates);
        Counter("webhook.secret_rejected", "Webhook calls with a wrong secret", () => RejectedSecret);
        Counter("handler.timeouts", "Handlers that hit the 25 s timeout", () => HandlerTimeouts);
        Counter("handler.errors", "Handlers that threw", () => HandlerErrors);
        Counter("replies", "Messages sent", () => RepliesSent);
        Counter("send.errors", "Messages that failed", () => SendErrors);
        Counter("send.too_many_requests", "429s that reached the application", () => TooManyRequestsReachedApp);
        Counter("spam.throttled", "Messages refused by the per-user limit", () => SpamThrottled);
        Counter("spam.warnings", "'too many requests' replies", () => SpamWarnings);
        Counter("orders.created", "Orders created", () => OrdersCreated);
        Counter("orders.done", "Orders done", () => OrdersDone);
        Counter("orders.failed", "Orders failed", () => OrdersFailed);
        Counter("orders.attempt_failures", "Failed label attempts", () => OrderAttemptFailures);
        Counter("facts.requests", "/fact requests", () => FactRequests);
        Counter("facts.cache_hits", "Facts served from cache", () => FactCacheHits);
        Counter("facts.overloaded", "Facts refused: queue full", () => FactsOverloaded);
        Counter("facts.failed", "Facts that failed (timeout, breaker, error)", () => FactsFailed);
        Counter("facts.delivered", "Facts delivered", () => FactsDelivered);
        Counter("channels.requests", "/channels requests", () => ChannelsRequests);
        Counter("channels.fallbacks", "/channels answered from cache", () => ChannelsFallbacks);
        Counter("mtproto.flood_waits", "FLOOD_WAIT_X received", () => MTProtoFloodWaits);
        Counter("locations.sessions_started", "Live-location sessions started", () => LocationSessionsStarted);
        Counter("locations.sessions_rejected", "Live-location sessions refused (cap)", () => LocationSessionsRejected);
        Counter("locations.updates_processed", "Location updates processed", () => LocationUpdatesProcessed);
        Counter("locations.batches", "Location batches", () => LocationBatches);
        Counter("broadcast.sent", "Broadcast messages sent", () => BroadcastSent);
        Counter("broadcast.failed", "Broadcast messages failed", () => BroadcastFailed);
        Counter("unobserved_exceptions", "Unobserved task exceptions", () => UnobservedExceptions);
        Counter("workers.iterations", "Worker iterations", () => WorkerIterations);
        Counter("workers.timeouts", "Worker iterations that timed out", () => WorkerTimeouts);
        Counter("watchdog.fired", "Watchdog firings", () => WatchdogFired);
        foreach ((string name, string description, Func<double> value) in gauges ?? [])
        {
            _meter.CreateObservableGauge("botresilience.sample." + name, value, description: description);
        }

        _handlerDuration = _meter.CreateHistogram<double>("botresilience.sample.handler.duration", "ms", "Update handler duration");
    }

    /// <summary>Adds a gauge after construction.</summary>
    /// <param name="name">Name suffix.</param>
    /// <param name="description">Description.</param>
    /// <param name="value">Value.</param>
    public void AddGauge(string name, string description, Func<double> value) =>
        _meter.CreateObservableGauge("botresilience.sample." + name, value, description: description);

    /// <summary>Records one handler duration.</summary>
    /// <param name="milliseconds">Duration.</param>
    public void RecordHandler(double milliseconds) => _handlerDuration.Record(milliseconds);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private void Counter(string name, string description, Func<long> read) =>
        _meter.CreateObservableCounter("botresilience.sample." + name, read, description: description);
}
