namespace BotResilience.Telegram;

/// <summary>The lane a sending request waits in for the bot-wide budget.</summary>
public enum BotApiRequestPriority
{
    /// <summary>Replies to users: always served before <see cref="Bulk"/> (the default).</summary>
    Interactive = 0,

    /// <summary>Broadcasts and other mass sends: served round-robin across chats, only when no interactive request is ready.</summary>
    Bulk = 1,
}

/// <summary>
/// Ways to give a request its <see cref="BotApiRequestPriority"/>: a per-call ambient scope
/// (<c>using (BotApiPriority.Bulk()) { await bot.SendMessage(...); }</c>), a request option
/// (<see cref="OptionKey"/>) or the header <see cref="HeaderName"/> (removed before sending).
/// </summary>
public static class BotApiPriority
{
    /// <summary>The header that carries the priority (<c>Interactive</c> or <c>Bulk</c>); the handler removes it.</summary>
    public const string HeaderName = "X-BotResilience-Priority";

    /// <summary>The <see cref="HttpRequestMessage.Options"/> key that carries the priority.</summary>
    public static readonly HttpRequestOptionsKey<BotApiRequestPriority> OptionKey = new("BotApiRequestPriority");

    private static readonly AsyncLocal<BotApiRequestPriority?> Ambient = new();

    /// <summary>The priority set by the innermost active scope, or <see langword="null"/>.</summary>
    public static BotApiRequestPriority? Current => Ambient.Value;

    /// <summary>Marks every request started in this async flow until disposal as <see cref="BotApiRequestPriority.Bulk"/>.</summary>
    /// <returns>A scope that restores the previous priority when disposed.</returns>
    public static IDisposable Bulk() => Use(BotApiRequestPriority.Bulk);

    /// <summary>Marks every request started in this async flow until disposal as <see cref="BotApiRequestPriority.Interactive"/>.</summary>
    /// <returns>A scope that restores the previous priority when disposed.</returns>
    public static IDisposable Interactive() => Use(BotApiRequestPriority.Interactive);

    /// <summary>Sets the ambient priority until the returned scope is disposed.</summary>
    /// <param name="priority">The priority.</param>
    /// <returns>A scope that restores the previous priority when disposed.</returns>
    public static IDisposable Use(BotApiRequestPriority priority)
    {
        var scope = new Scope(Ambient.Value);
        Ambient.Value = priority;
        return scope;
    }

    internal static BotApiRequestPriority Resolve(HttpRequestMessage request)
    {
        if (request.Headers.TryGetValues(HeaderName, out var values))
        {
            request.Headers.Remove(HeaderName);
            foreach (var v in values)
            {
                if (Enum.TryParse<BotApiRequestPriority>(v, ignoreCase: true, out var p))
                {
                    return p;
                }
            }
        }

        if (request.Options.TryGetValue(OptionKey, out var option))
        {
            return option;
        }

        return Ambient.Value ?? BotApiRequestPriority.Interactive;
    }

    private sealed class Scope(BotApiRequestPriority? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Ambient.Value = previous;
            }
        }
    }
}
