using Npgsql;

namespace BotResilience.SampleBot.Storage;

/// <summary>
/// PostgreSQL storage (Npgsql), the same semantics as <see cref="SqliteBotStore"/>: every method is one short
/// transaction that takes no callback (no HTTP can run inside it), order claims use <c>FOR UPDATE SKIP LOCKED</c> so
/// several workers and instances claim different jobs without waiting on each other, leases are renewed by their owner
/// and a dead owner's job is re-claimed once its lease has passed; completion is accepted only from the lease owner.
/// </summary>
public sealed class PostgreSqlBotStore : IBotStore
{
    private const string OrderColumns = "id, update_id, user_id, chat_id, item, status, attempts, lease_owner, label, error, notified";
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the store.</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    public PostgreSqlBotStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await WriteAsync(async (c, tx, ct) =>
        {
            // concurrent starts: one instance creates the schema at a time
            await ExecAsync(c, tx, "SELECT pg_advisory_xact_lock(727274001)", ct);
            return await ExecAsync(c, tx, """
                CREATE TABLE IF NOT EXISTS users (user_id BIGINT PRIMARY KEY, chat_id BIGINT NOT NULL, first_seen BIGINT NOT NULL);
                CREATE TABLE IF NOT EXISTS orders (
                    id BIGSERIAL PRIMARY KEY,
                    update_id BIGINT NOT NULL UNIQUE,
                    user_id BIGINT NOT NULL,
                    chat_id BIGINT NOT NULL,
                    item TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT NULL,
                    lease_until BIGINT NULL,
                    next_attempt_at BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    finished_at BIGINT NULL,
                    label TEXT NULL,
                    error TEXT NULL,
                    notified BOOLEAN NOT NULL DEFAULT FALSE);
                CREATE INDEX IF NOT EXISTS ix_orders_due ON orders(status, next_attempt_at);
                CREATE TABLE IF NOT EXISTS order_attempts (
                    order_id BIGINT NOT NULL, attempt INTEGER NOT NULL, owner TEXT NOT NULL,
                    started_at BIGINT NOT NULL, finished_at BIGINT NULL, outcome TEXT NULL,
                    PRIMARY KEY (order_id, attempt));
                CREATE TABLE IF NOT EXISTS facts (place TEXT PRIMARY KEY, fact TEXT NOT NULL, expires_at BIGINT NOT NULL);
                """, ct);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpsertUserAsync(long userId, long chatId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
            await ExecAsync(c, tx, "INSERT INTO users(user_id, chat_id, first_seen) VALUES (@u, @c, @t) ON CONFLICT (user_id) DO NOTHING", ct,
                ("u", userId), ("c", chatId), ("t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())) == 1, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> GetUserChatIdsAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand cmd = Command(c, null, "SELECT chat_id FROM users ORDER BY user_id");
        var list = new List<long>();
        await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(r.GetInt64(0));
        }

        return list;
    }

    /// <inheritdoc />
    public Task<(OrderRecord Order, bool Created)> CreateOrderAsync(long updateId, long userId, long chatId, string item, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
        {
            int inserted = await ExecAsync(c, tx, """
                INSERT INTO orders(update_id, user_id, chat_id, item, status, attempts, next_attempt_at, created_at)
                VALUES (@up, @u, @c, @i, 'pending', 0, @t, @t) ON CONFLICT (update_id) DO NOTHING
                """, ct, ("up", updateId), ("u", userId), ("c", chatId), ("i", item), ("t", now.ToUnixTimeMilliseconds()));
            OrderRecord order = (await QueryOrdersAsync(c, tx, $"SELECT {OrderColumns} FROM orders WHERE update_id = @up", ct, ("up", updateId)))[0];
            return (order, inserted == 1);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<OrderRecord?> TryClaimOrderAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
        {
            long t = now.ToUnixTimeMilliseconds();
            IReadOnlyList<OrderRecord> claimed = await QueryOrdersAsync(c, tx, $"""
                UPDATE orders SET status = 'running', attempts = attempts + 1, lease_owner = @o, lease_until = @l
                WHERE id = (SELECT id FROM orders
                            WHERE (status = 'pending' AND next_attempt_at <= @t) OR (status = 'running' AND lease_until < @t)
                            ORDER BY next_attempt_at, id LIMIT 1
                            FOR UPDATE SKIP LOCKED)
                RETURNING {OrderColumns}
                """, ct, ("o", owner), ("l", t + (long)lease.TotalMilliseconds), ("t", t));
            if (claimed.Count == 0)
            {
                return null;
            }

            OrderRecord order = claimed[0];
            await ExecAsync(c, tx, """
                INSERT INTO order_attempts(order_id, attempt, owner, started_at) VALUES (@id, @a, @o, @t)
                ON CONFLICT (order_id, attempt) DO UPDATE SET owner = EXCLUDED.owner, started_at = EXCLUDED.started_at, finished_at = NULL, outcome = NULL
                """, ct, ("id", order.Id), ("a", order.Attempts), ("o", owner), ("t", t));
            return (OrderRecord?)order;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RenewLeaseAsync(long orderId, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx,
            "UPDATE orders SET lease_until = @l WHERE id = @id AND status = 'running' AND lease_owner = @o", ct,
            ("l", leaseUntil.ToUnixTimeMilliseconds()), ("id", orderId), ("o", owner)) == 1, cancellationToken);

    /// <inheritdoc />
    public Task<bool> CompleteOrderAsync(long orderId, string owner, string label, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
        {
            long t = now.ToUnixTimeMilliseconds();
            bool ok = await ExecAsync(c, tx, """
                UPDATE orders SET status = 'done', label = @lbl, finished_at = @t, lease_owner = NULL, lease_until = NULL, error = NULL
                WHERE id = @id AND status = 'running' AND lease_owner = @o
                """, ct, ("lbl", label), ("t", t), ("id", orderId), ("o", owner)) == 1;
            if (ok)
            {
                await FinishAttemptAsync(c, tx, orderId, owner, t, "done", ct);
            }

            return ok;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> FailAttemptAsync(long orderId, string owner, string error, bool final, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
        {
            long t = now.ToUnixTimeMilliseconds();
            bool ok = await ExecAsync(c, tx, """
                UPDATE orders SET status = @s, error = @e, next_attempt_at = @n, lease_owner = NULL, lease_until = NULL,
                                  finished_at = CASE WHEN @s = 'failed' THEN @t ELSE NULL END
                WHERE id = @id AND status = 'running' AND lease_owner = @o
                """, ct, ("s", final ? "failed" : "pending"), ("e", error), ("n", nextAttemptAt.ToUnixTimeMilliseconds()), ("t", t), ("id", orderId), ("o", owner)) == 1;
            if (ok)
            {
                await FinishAttemptAsync(c, tx, orderId, owner, t, final ? "failed" : "retry", ct);
            }

            return ok;
        }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseOrderAsync(long orderId, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
        {
            long t = now.ToUnixTimeMilliseconds();
            if (await ExecAsync(c, tx, """
                UPDATE orders SET status = 'pending', attempts = attempts - 1, lease_owner = NULL, lease_until = NULL, next_attempt_at = @t
                WHERE id = @id AND status = 'running' AND lease_owner = @o
                """, ct, ("t", t), ("id", orderId), ("o", owner)) == 1)
            {
                await ExecAsync(c, tx, "DELETE FROM order_attempts WHERE order_id = @id AND owner = @o AND finished_at IS NULL", ct, ("id", orderId), ("o", owner));
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrderRecord>> GetUnnotifiedFinishedOrdersAsync(int limit, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await QueryOrdersAsync(c, null, $"SELECT {OrderColumns} FROM orders WHERE status IN ('done','failed') AND NOT notified ORDER BY finished_at LIMIT @n", cancellationToken, ("n", limit));
    }

    /// <inheritdoc />
    public Task MarkNotifiedAsync(long orderId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx, "UPDATE orders SET notified = TRUE WHERE id = @id", ct, ("id", orderId)), cancellationToken);

    /// <inheritdoc />
    public async Task<OrderCounts> GetOrderCountsAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand cmd = Command(c, null, "SELECT status, COUNT(*) FROM orders GROUP BY status");
        int p = 0, r = 0, d = 0, f = 0;
        await using NpgsqlDataReader rd = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await rd.ReadAsync(cancellationToken))
        {
            int n = checked((int)rd.GetInt64(1));
            switch (rd.GetString(0))
            {
                case "pending": p = n; break;
                case "running": r = n; break;
                case "done": d = n; break;
                case "failed": f = n; break;
            }
        }

        return new OrderCounts(p, r, d, f);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrderRecord>> GetOrdersAsync(long? userId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _dataSource.OpenConnectionAsync(cancellationToken);
        return userId is { } u
            ? await QueryOrdersAsync(c, null, $"SELECT {OrderColumns} FROM orders WHERE user_id = @u ORDER BY id", cancellationToken, ("u", u))
            : await QueryOrdersAsync(c, null, $"SELECT {OrderColumns} FROM orders ORDER BY id", cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrderAttempt>> GetOrderAttemptsAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand cmd = Command(c, null, "SELECT order_id, attempt, owner, started_at, finished_at, outcome FROM order_attempts ORDER BY order_id, attempt");
        var list = new List<OrderAttempt>();
        await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new OrderAttempt(r.GetInt64(0), r.GetInt32(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
                r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.IsDBNull(5) ? null : r.GetString(5)));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<string?> GetFactAsync(string place, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand cmd = Command(c, null, "SELECT fact FROM facts WHERE place = @p AND expires_at > @t", ("p", place), ("t", now.ToUnixTimeMilliseconds()));
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <inheritdoc />
    public Task PutFactAsync(string place, string fact, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx,
            "INSERT INTO facts(place, fact, expires_at) VALUES (@p, @f, @e) ON CONFLICT (place) DO UPDATE SET fact = EXCLUDED.fact, expires_at = EXCLUDED.expires_at", ct,
            ("p", place), ("f", fact), ("e", expiresAt.ToUnixTimeMilliseconds())), cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteExpiredFactsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx, "DELETE FROM facts WHERE expires_at <= @t", ct, ("t", now.ToUnixTimeMilliseconds())), cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static Task FinishAttemptAsync(NpgsqlConnection c, NpgsqlTransaction tx, long orderId, string owner, long t, string outcome, CancellationToken ct) =>
        ExecAsync(c, tx, "UPDATE order_attempts SET finished_at = @t, outcome = @oc WHERE order_id = @id AND owner = @o AND finished_at IS NULL", ct,
            ("t", t), ("oc", outcome), ("id", orderId), ("o", owner));

    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection c = await _dataSource.OpenConnectionAsync(cancellationToken);
        using TransactionScopeGuard.Scope scope = TransactionScopeGuard.Enter();
        await using NpgsqlTransaction tx = await c.BeginTransactionAsync(cancellationToken);
        T result = await body(c, tx, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return result;
    }

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object Value)[] args)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        foreach ((string name, object value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd;
    }

    private static async Task<int> ExecAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using NpgsqlCommand cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<OrderRecord>> QueryOrdersAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using NpgsqlCommand cmd = Command(c, tx, sql, args);
        var list = new List<OrderRecord>();
        await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new OrderRecord(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4),
                Enum.Parse<OrderStatus>(r.GetString(5), ignoreCase: true), r.GetInt32(6), r.IsDBNull(7) ? null : r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.GetBoolean(10)));
        }

        return list;
    }
}
