using System.Collections.Concurrent;
using BotResilience.CircuitBreaking;

namespace BotResilience.MTProto;

/// <summary>Per-session state of <see cref="MTProtoInvoker"/>: its circuit breaker and flood gate scopes.</summary>
internal sealed class SessionContext
{
    private readonly ConcurrentDictionary<string, string> _methodScopes = new(StringComparer.Ordinal);

    public SessionContext(string session, CircuitBreaker breaker)
    {
        Session = session;
        Scope = "mtproto:" + session;
        Breaker = breaker;
    }

    public string Session { get; }

    /// <summary>The flood gate scope of the whole session.</summary>
    public string Scope { get; }

    public CircuitBreaker Breaker { get; }

    /// <summary>The flood gate scope of one method of the session (cached: no allocation after the first call).</summary>
    public string GetMethodScope(string method) =>
        _methodScopes.TryGetValue(method, out var scope) ? scope : _methodScopes.GetOrAdd(method, static (m, s) => s + ":" + m, Scope);
}
