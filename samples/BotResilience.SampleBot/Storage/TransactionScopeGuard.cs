namespace BotResilience.SampleBot.Storage;

/// <summary>
/// Tracks whether the current async flow is inside a database transaction. The outgoing HTTP pipeline checks it
/// and refuses to send (seed 004: an HTTP call inside a transaction held a pooled connection for 5–30 s).
/// </summary>
public static class TransactionScopeGuard
{
    private static readonly AsyncLocal<int> Depth = new();

    /// <summary>True inside a transaction.</summary>
    public static bool IsActive => Depth.Value > 0;

    /// <summary>Marks the start of a transaction; dispose at its end.</summary>
    public static Scope Enter()
    {
        Depth.Value++;
        return default;
    }

    /// <summary>Ends the transaction mark.</summary>
    public readonly struct Scope : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => Depth.Value--;
    }
}

/// <summary>Fails any HTTP request started inside a database transaction.</summary>
public sealed class NoHttpInTransactionHandler : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (TransactionScopeGuard.IsActive)
        {
            throw new InvalidOperationException("HTTP call inside a database transaction: commit first, then call out (seed 004).");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
