using System.Collections.Concurrent;
using System.Reflection;

namespace BotResilience.MTProto;

/// <summary>Wiring helpers for MTProto client libraries.</summary>
public static class MTProtoClientSetup
{
    private static readonly ConcurrentDictionary<Type, Action<object, int>?> Setters = new();

    /// <summary>
    /// Sets the client's <c>FloodRetryThreshold</c> to -1, which turns off WTelegramClient's own flood-wait handling
    /// (by default it sleeps up to 60 s inside <c>Invoke</c> — per call, uncancellable and invisible — and retries).
    /// Flood waits then reach <see cref="MTProtoInvoker"/>, which handles each one once for the whole session:
    /// coordinated, cancellable, bounded by <see cref="MTProtoInvokerOptions.FloodWaitThreshold"/> and observable.
    /// </summary>
    /// <param name="client">The client (WTelegramClient's <c>WTelegram.Client</c>), or any object with a writable
    /// integer <c>FloodRetryThreshold</c> property or field.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The object has no writable integer <c>FloodRetryThreshold</c>.</exception>
    /// <example>
    /// <code>
    /// using var client = new WTelegram.Client(Config);
    /// MTProtoClientSetup.DisableBuiltInFloodRetry(client);   // same as client.FloodRetryThreshold = -1;
    /// await client.LoginUserIfNeeded();
    /// using var invoker = new MTProtoInvoker(new MTProtoInvokerOptions());
    /// var history = await invoker.InvokeAsync("main", ct => client.Messages_GetHistory(peer), method: "messages.getHistory");
    /// </code>
    /// </example>
    public static void DisableBuiltInFloodRetry(object client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var setter = Setters.GetOrAdd(client.GetType(), static type => CreateSetter(type));
        if (setter is null)
        {
            throw new ArgumentException(
                $"{client.GetType().FullName} has no public writable int property or field 'FloodRetryThreshold'; expected a WTelegramClient 'WTelegram.Client'.",
                nameof(client));
        }

        setter(client, -1);
    }

    private static Action<object, int>? CreateSetter(Type type)
    {
        const string Name = "FloodRetryThreshold";
        var property = type.GetProperty(Name, BindingFlags.Public | BindingFlags.Instance);
        if (property is { CanWrite: true, SetMethod.IsPublic: true } && property.PropertyType == typeof(int) && property.GetIndexParameters().Length == 0)
        {
            return (target, value) => property.SetValue(target, value);
        }

        var field = type.GetField(Name, BindingFlags.Public | BindingFlags.Instance);
        if (field is { IsInitOnly: false, IsLiteral: false } && field.FieldType == typeof(int))
        {
            return (target, value) => field.SetValue(target, value);
        }

        return null;
    }
}
