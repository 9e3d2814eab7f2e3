namespace BotResilience.SampleBot.Storage;

/// <summary>Order status (seed 003: pending → running → done / failed).</summary>
public enum OrderStatus
{
    /// <summary>Waiting for a worker (new, or between attempts).</summary>
    Pending,

    /// <summary>Claimed by a worker holding a lease.</summary>
    Running,

    /// <summary>Label generated.</summary>
    Done,

    /// <summary>All attempts failed.</summary>
    Failed,
}

/// <summary>One durable order job.</summary>
/// <param name="Id">Order id.</param>
/// <param name="UpdateId">The Telegram update that created it (unique: a re-delivered update never creates a second order).</param>
/// <param name="UserId">User.</param>
/// <param name="ChatId">Chat to notify.</param>
/// <param name="Item">What was ordered.</param>
/// <param name="Status">Status.</param>
/// <param name="Attempts">Attempts started so far.</param>
/// <param name="LeaseOwner">Worker instance holding the job while running.</param>
/// <param name="Label">Generated label when done.</param>
/// <param name="Error">Last error.</param>
/// <param name="Notified">Whether the user was told the final outcome.</param>
public sealed record OrderRecord(long Id, long UpdateId, long UserId, long ChatId, string Item, OrderStatus Status, int Attempts, string? LeaseOwner, string? Label, string? Error, bool Notified);

/// <summary>One attempt of an order job (audit log used to prove no job ran twice at once).</summary>
/// <param name="OrderId">Order.</param>
/// <param name="Attempt">Attempt number (1-based).</param>
/// <param name="Owner">Worker instance.</param>
/// <param name="StartedAt">Claim time.</param>
/// <param name="FinishedAt">End time, null if the owner died.</param>
/// <param name="Outcome">done, failed, retry, released; null if the owner died.</param>
public sealed record OrderAttempt(long OrderId, int Attempt, string Owner, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Outcome);

/// <summary>Order totals by status.</summary>
/// <param name="Pending">Pending.</param>
/// <param name="Running">Running.</param>
/// <param name="Done">Done.</param>
/// <param name="Failed">Failed.</param>
public readonly record struct OrderCounts(int Pending, int Running, int Done, int Failed)
{
    /// <summary>All orders.</summary>
    public int Total => Pending + Running + Done + Failed;
}

/// <summary>
/// The bot's durable state. Every method is one short transaction and none takes a callback, so no HTTP call
/// can ever run inside a database transaction (seed 004). SQLite implements it; a PostgreSQL implementation
/// plugs in behind the same interface.
/// </summary>
public interface IBotStore : IAsyncDisposable
{
    /// <summary>Creates tables (idempotent).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Remembers a user (for broadcasts). Returns true when new.</summary>
    /// <param name="userId">User.</param>
    /// <param name="chatId">Private chat.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<bool> UpsertUserAsync(long userId, long chatId, CancellationToken cancellationToken);

    /// <summary>All known chats.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<IReadOnlyList<long>> GetUserChatIdsAsync(CancellationToken cancellationToken);

    /// <summary>Creates the order for <paramref name="updateId"/>, or returns the existing one (claim-by-update).</summary>
    /// <param name="updateId">Creating update.</param>
    /// <param name="userId">User.</param>
    /// <param name="chatId">Chat.</param>
    /// <param name="item">Item.</param>
    /// <param name="now">Now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<(OrderRecord Order, bool Created)> CreateOrderAsync(long updateId, long userId, long chatId, string item, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically claims the oldest due job: a pending one whose backoff has passed, or a running one whose
    /// lease expired (its owner died). Increments attempts and logs the attempt.
    /// </summary>
    /// <param name="owner">This worker instance.</param>
    /// <param name="now">Now.</param>
    /// <param name="lease">Lease length.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<OrderRecord?> TryClaimOrderAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends the lease of a running job; false if this owner lost it.</summary>
    /// <param name="orderId">Order.</param>
    /// <param name="owner">Owner.</param>
    /// <param name="leaseUntil">New lease end.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<bool> RenewLeaseAsync(long orderId, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Marks the job done if <paramref name="owner"/> still holds it.</summary>
    /// <param name="orderId">Order.</param>
    /// <param name="owner">Owner.</param>
    /// <param name="label">Label.</param>
    /// <param name="now">Now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<bool> CompleteOrderAsync(long orderId, string owner, string label, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt: back to pending at <paramref name="nextAttemptAt"/>, or failed when <paramref name="final"/>.</summary>
    /// <param name="orderId">Order.</param>
    /// <param name="owner">Owner.</param>
    /// <param name="error">Error.</param>
    /// <param name="final">No attempt left.</param>
    /// <param name="nextAttemptAt">When to retry.</param>
    /// <param name="now">Now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<bool> FailAttemptAsync(long orderId, string owner, string error, bool final, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Graceful shutdown: gives a running job back (pending, attempt not counted).</summary>
    /// <param name="orderId">Order.</param>
    /// <param name="owner">Owner.</param>
    /// <param name="now">Now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task ReleaseOrderAsync(long orderId, string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Finished orders whose user has not been told yet (notification outbox).</summary>
    /// <param name="limit">Maximum rows.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<IReadOnlyList<OrderRecord>> GetUnnotifiedFinishedOrdersAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Marks the final notification sent.</summary>
    /// <param name="orderId">Order.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task MarkNotifiedAsync(long orderId, CancellationToken cancellationToken);

    /// <summary>Totals by status.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<OrderCounts> GetOrderCountsAsync(CancellationToken cancellationToken);

    /// <summary>All orders (tests, /status).</summary>
    /// <param name="userId">Only this user's orders when set.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<IReadOnlyList<OrderRecord>> GetOrdersAsync(long? userId, CancellationToken cancellationToken);

    /// <summary>The attempt log.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<IReadOnlyList<OrderAttempt>> GetOrderAttemptsAsync(CancellationToken cancellationToken);

    /// <summary>A cached fact, if still fresh.</summary>
    /// <param name="place">Place.</param>
    /// <param name="now">Now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<string?> GetFactAsync(string place, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Caches a fact.</summary>
    /// <param name="place">Place.</param>
    /// <param name="fact">Fact.</param>
    /// <param name="expiresAt">Expiry.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task PutFactAsync(string place, string fact, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Deletes expired cached facts; returns how many.</summary>
    /// <param name="now">Now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<int> DeleteExpiredFactsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
