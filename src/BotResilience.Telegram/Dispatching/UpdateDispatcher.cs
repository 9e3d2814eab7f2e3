using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace BotResilience.Telegram.Dispatching;

/// <summary>
/// The raw-JSON form of <see cref="UpdateDispatcher{TUpdate}"/>: takes updates as bytes, strings or
/// <see cref="JsonElement"/>s and keys them by the chat and user found in any update kind.
/// </summary>
public sealed class UpdateDispatcher : IAsyncDisposable
{
    /// <summary>Creates a dispatcher.</summary>
    /// <param name="handler">Handles one update.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where faults are logged.</param>
    public UpdateDispatcher(
        Func<TelegramUpdate, CancellationToken, ValueTask> handler,
        UpdateDispatcherOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
        => Inner = new UpdateDispatcher<TelegramUpdate>(handler, static u => u.UpdateId, static u => u.ChatId, static u => u.UserId, options, timeProvider, logger);

    /// <summary>The typed dispatcher doing the work (counters, events, hooks).</summary>
    public UpdateDispatcher<TelegramUpdate> Inner { get; }

    /// <summary>See <see cref="UpdateDispatcher{TUpdate}.UserThrottled"/>.</summary>
    public Func<TelegramUpdate, TimeSpan, CancellationToken, ValueTask>? UserThrottled
    {
        get => Inner.UserThrottled;
        set => Inner.UserThrottled = value;
    }

    /// <summary>See <see cref="UpdateDispatcher{TUpdate}.HandlerFaulted"/>.</summary>
    public event EventHandler<UpdateHandlerFaultEventArgs<TelegramUpdate>>? HandlerFaulted
    {
        add => Inner.HandlerFaulted += value;
        remove => Inner.HandlerFaulted -= value;
    }

    /// <summary>Offers an update without waiting.</summary>
    /// <param name="update">The update.</param>
    /// <returns>What happened to it.</returns>
    public UpdateEnqueueResult TryEnqueue(TelegramUpdate update) => Inner.TryEnqueue(update);

    /// <summary>Parses and offers an update without waiting.</summary>
    /// <param name="utf8Json">The update's UTF-8 JSON.</param>
    /// <returns>What happened to it.</returns>
    /// <exception cref="JsonException">The bytes are not a JSON object.</exception>
    public UpdateEnqueueResult TryEnqueue(ReadOnlyMemory<byte> utf8Json) => Inner.TryEnqueue(TelegramUpdate.Parse(utf8Json));

    /// <summary>Parses and offers an update without waiting.</summary>
    /// <param name="json">The update's JSON.</param>
    /// <returns>What happened to it.</returns>
    public UpdateEnqueueResult TryEnqueue(string json) => Inner.TryEnqueue(TelegramUpdate.Parse(json));

    /// <summary>Offers an update without waiting.</summary>
    /// <param name="update">The update object.</param>
    /// <returns>What happened to it.</returns>
    public UpdateEnqueueResult TryEnqueue(JsonElement update) => Inner.TryEnqueue(TelegramUpdate.FromJson(update));

    /// <summary>Offers an update, waiting while the queue is full.</summary>
    /// <param name="update">The update.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>What happened to it.</returns>
    public ValueTask<UpdateEnqueueResult> EnqueueAsync(TelegramUpdate update, CancellationToken cancellationToken = default) => Inner.EnqueueAsync(update, cancellationToken);

    /// <summary>Parses and offers an update, waiting while the queue is full.</summary>
    /// <param name="utf8Json">The update's UTF-8 JSON.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>What happened to it.</returns>
    public ValueTask<UpdateEnqueueResult> EnqueueAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default)
        => Inner.EnqueueAsync(TelegramUpdate.Parse(utf8Json), cancellationToken);

    /// <summary>Parses and offers an update, waiting while the queue is full.</summary>
    /// <param name="json">The update's JSON.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>What happened to it.</returns>
    public ValueTask<UpdateEnqueueResult> EnqueueAsync(string json, CancellationToken cancellationToken = default)
        => Inner.EnqueueAsync(TelegramUpdate.Parse(json), cancellationToken);

    /// <summary>Offers an update, waiting while the queue is full.</summary>
    /// <param name="update">The update object.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>What happened to it.</returns>
    public ValueTask<UpdateEnqueueResult> EnqueueAsync(JsonElement update, CancellationToken cancellationToken = default)
        => Inner.EnqueueAsync(TelegramUpdate.FromJson(update), cancellationToken);

    /// <summary>See <see cref="UpdateDispatcher{TUpdate}.StopAsync"/>.</summary>
    /// <param name="cancellationToken">Ends a drain early.</param>
    /// <returns>A task.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => Inner.StopAsync(cancellationToken);

    /// <summary>See <see cref="UpdateDispatcher{TUpdate}.WaitForIdleAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default) => Inner.WaitForIdleAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
