using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BotResilience.Telegram.Dispatching;
using BotResilience.Telegram.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a Telegram webhook endpoint (minimal API, endpoint routing).</summary>
public static class TelegramWebhookEndpointExtensions
{
    /// <summary>The header Telegram puts the webhook <c>secret_token</c> in.</summary>
    public const string SecretTokenHeader = "X-Telegram-Bot-Api-Secret-Token";

    /// <summary>
    /// Maps <c>POST <paramref name="pattern"/></c>: records liveness (<see cref="TelegramWebhookOptions.OnRequest"/>), checks the
    /// secret in constant time (401 on mismatch), hands the update to the dispatcher and answers at once: 200 when
    /// accepted, a duplicate or throttled; <see cref="TelegramWebhookOptions.QueueFullStatusCode"/> (503) when the queue is full
    /// or the dispatcher stopped, so Telegram re-sends later; 400 for a body that is not an update; 413 when too large.
    /// A slow handler never delays the answer.
    /// </summary>
    /// <param name="endpoints">The route builder (a <c>WebApplication</c>).</param>
    /// <param name="pattern">The route, for example <c>/webhook</c>.</param>
    /// <param name="options">The options.</param>
    /// <returns>The endpoint builder, for further conventions.</returns>
    /// <exception cref="ArgumentException">No dispatcher is set.</exception>
    public static IEndpointConventionBuilder MapTelegramWebhook(this IEndpointRouteBuilder endpoints, string pattern, TelegramWebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dispatcher = options.Dispatcher!;
        var onRequest = options.OnRequest;
        var secret = options.SecretToken is null ? null : Encoding.UTF8.GetBytes(options.SecretToken);
        var maxBody = options.MaxBodyBytes;
        var fullStatus = options.QueueFullStatusCode;
        return endpoints.MapPost(pattern, async context =>
        {
            onRequest?.Invoke();
            var status = await HandleAsync(context, dispatcher, secret, maxBody, fullStatus).ConfigureAwait(false);
            BotResilience.Telegram.TelegramMetrics.WebhookRequest(status);
            context.Response.StatusCode = status;
        });
    }

    private static async Task<int> HandleAsync(HttpContext context, UpdateDispatcher dispatcher, byte[]? secret, int maxBody, int fullStatus)
    {
        if (secret is not null)
        {
            var given = context.Request.Headers[SecretTokenHeader].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), secret))
            {
                return StatusCodes.Status401Unauthorized;
            }
        }

        if (context.Request.ContentLength > maxBody)
        {
            return StatusCodes.Status413PayloadTooLarge;
        }

        var body = await ReadBodyAsync(context.Request.Body, maxBody, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return StatusCodes.Status413PayloadTooLarge;
        }

        TelegramUpdate update;
        try
        {
            update = TelegramUpdate.Parse(body);
        }
        catch (JsonException)
        {
            return StatusCodes.Status400BadRequest;
        }

        return dispatcher.TryEnqueue(update) switch
        {
            UpdateEnqueueResult.QueueFull or UpdateEnqueueResult.Stopped => fullStatus,
            _ => StatusCodes.Status200OK,
        };
    }

    private static async Task<byte[]?> ReadBodyAsync(Stream body, int maxBody, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBody)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
