using System.Net.Http.Headers;
using System.Text;
using BotResilience.Telegram.Testing.Updates;

namespace BotResilience.Telegram.Testing.Webhooks;

/// <summary>
/// Delivers pending updates to the registered webhook as Telegram does: a JSON POST per update, the
/// <c>X-Telegram-Bot-Api-Secret-Token</c> header when a secret is set, at most <c>max_connections</c> at once, and a
/// re-send (with doubling back-off) after a non-2xx answer, a connection failure or a timeout.
/// </summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    private readonly BotApiEmulatorOptions _options;
    private readonly UpdateQueue _queue;
    private readonly EmulatorCounters _counters;
    private readonly Func<string?, byte[], Task> _onReply;
    private readonly HttpClient _client;
    private readonly object _gate = new();
    private WebhookRegistration? _current;

    public WebhookDispatcher(BotApiEmulatorOptions options, UpdateQueue queue, EmulatorCounters counters, Func<string?, byte[], Task> onReply)
    {
        _options = options;
        _queue = queue;
        _counters = counters;
        _onReply = onReply;
        _client = options.WebhookHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { ConnectTimeout = Timeout.InfiniteTimeSpan }, disposeHandler: true);
        _client.Timeout = Timeout.InfiniteTimeSpan;
    }

    public WebhookRegistration? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public async Task SetAsync(WebhookRegistration? registration)
    {
        WebhookRegistration? previous;
        lock (_gate)
        {
            previous = _current;
            _current = registration;
        }

        if (previous is not null)
        {
            await StopAsync(previous).ConfigureAwait(false);
        }

        if (registration is not null)
        {
            registration.Loop = Task.Run(() => RunAsync(registration));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await SetAsync(null).ConfigureAwait(false);
        _client.Dispose();
    }

    private static async Task StopAsync(WebhookRegistration registration)
    {
        await registration.Stop.CancelAsync().ConfigureAwait(false);
        await registration.Loop.ConfigureAwait(false);
        registration.Stop.Dispose();
        registration.Slots.Dispose();
    }

    private async Task RunAsync(WebhookRegistration registration)
    {
        var stop = registration.Stop.Token;
        var deliveries = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await registration.Slots.WaitAsync(stop).ConfigureAwait(false);
                PendingUpdate? update;
                while (true)
                {
                    var changed = _queue.Changed;
                    update = _queue.TryTakeForDelivery();
                    if (update is not null)
                    {
                        break;
                    }

                    await changed.WaitAsync(stop).ConfigureAwait(false);
                }

                deliveries.RemoveAll(static t => t.IsCompleted);
                deliveries.Add(DeliverAsync(registration, update, stop));
            }
        }
        catch (OperationCanceledException)
        {
            // The webhook was deleted or replaced.
        }

        await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    private async Task DeliverAsync(WebhookRegistration registration, PendingUpdate update, CancellationToken stop)
    {
        await Task.Yield();
        Interlocked.Increment(ref registration.InFlight);
        try
        {
            var body = Encoding.UTF8.GetBytes(update.Json);
            for (var attempt = 1; ; attempt++)
            {
                if (attempt > 1)
                {
                    _counters.Increment(ref _counters.WebhookResends);
                }

                _counters.Increment(ref _counters.WebhookAttempts);
                var error = await AttemptAsync(registration, body, stop).ConfigureAwait(false);
                if (error is null)
                {
                    _counters.Increment(ref _counters.WebhookDeliveries);
                    _queue.CompleteDelivery(update);
                    return;
                }

                _counters.Increment(ref _counters.WebhookFailures);
                lock (_gate)
                {
                    registration.LastErrorDate = _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
                    registration.LastErrorMessage = error;
                }

                var delay = _options.WebhookRetryDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
                if (delay > _options.WebhookMaxRetryDelay)
                {
                    delay = _options.WebhookMaxRetryDelay;
                }

                await Task.Delay(delay / _options.TimeScale, _options.TimeProvider, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            _queue.ReleaseDelivery(update);
        }
        finally
        {
            Interlocked.Decrement(ref registration.InFlight);
            try
            {
                registration.Slots.Release();
            }
            catch (ObjectDisposedException)
            {
                // Stopping: nobody waits for the slot any more.
            }
        }
    }

    /// <summary>One POST; returns <see langword="null"/> on a 2xx answer, else Telegram's <c>last_error_message</c>.</summary>
    private async Task<string?> AttemptAsync(WebhookRegistration registration, byte[] body, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(_options.WebhookTimeout / _options.TimeScale, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, registration.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (registration.SecretToken is { } secret)
        {
            request.Headers.TryAddWithoutValidation(SecretHeader, secret);
        }

        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return $"Wrong response from the webhook: {(int)response.StatusCode} {response.ReasonPhrase}";
            }

            var reply = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (reply.Length > 0)
            {
                await _onReply(response.Content.Headers.ContentType?.ToString(), reply).ConfigureAwait(false);
            }

            return null;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return "Read timeout expired";
        }
        catch (HttpRequestException exception)
        {
            return exception.HttpRequestError == HttpRequestError.ConnectionError ? "Connection refused" : exception.Message;
        }
    }
}
