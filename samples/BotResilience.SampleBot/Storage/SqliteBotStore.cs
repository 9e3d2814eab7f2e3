using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BotResilience.SampleBot.Storage;

/// <summary>
/// SQLite storage: one file, WAL journal, short transactions, writes serialised in-process (SQLite has one writer
/// anyway; queueing here avoids busy-retry storms). Zero setup: the directory is created on first use.
/// </summary>
public sealed class SqliteBotStore : IBotStore
{
    private const string OrderColumns = "id, update_id, user_id, chat_id, item, status, attempts, lease_owner, label, error, notified";
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Creates the store for <paramref name="path"/>.</summary>
    /// <param name="path">Database file.</param>
    public SqliteBotStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        string? dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        await using SqliteConnection c = await OpenAsync(cancellationToken);
        await ExecAsync(c, null, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS users (user_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, first_seen INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS orders (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                update_id INTEGER NOT NULL UNIQUE,
                user_id INTEGER NOT NULL,
                chat_id INTEGER NOT NULL,
                item TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                lease_owner TEXT NULL,
                lease_until INTEGER NULL,
                next_attempt_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                finished_at INTEGER NULL,
                label TEXT NULL,
                error TEXT NULL,
                notified INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX IF NOT EXISTS ix_orders_due ON orders(status, next_attempt_at);
            CREATE TABLE IF NOT EXISTS order_attempts (
                order_id INTEGER NOT NULL, attempt INTEGER NOT NULL, owner TEXT NOT NULL,
                started_at INTEGER NOT NULL, finished_at INTEGER NULL, outcome TEXT NULL,
                PRIMARY KEY (order_id, attempt));
            CREATE TABLE IF NOT EXISTS facts (place TEXT PRIMARY KEY, fact TEXT NOT NULL, expires_at INTEGER NOT NULL);
            """, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpsertUserAsync(long userId, long chatId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
            await ExecAsync(c, tx, "INSERT OR IGNORE INTO users(user_id, chat_id, first_seen) VALUES ($u, $c, $t)", ct,
                ("$u", userId), ("$c", chatId), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())) == 1, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> GetUserChatIdsAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection c = await OpenAsync(cancellationToken);
        await using SqliteCommand cmd = Command(c, null, "SELECT chat_id FROM users ORDER BY user_id");
        var list = new List<long>();
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
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
                INSERT OR IGNORE INTO orders(update_id, user_id, chat_id, item, status, attempts, next_attempt_at, created_at)
                VALUES ($up, $u, $c, $i, 'pending', 0, $t, $t)
                """, ct, ("$up", updateId), ("$u", userId), ("$c", chatId), ("$i", item), ("$t", now.ToUnixTimeMilliseconds()));
            OrderRecord order = (await QueryOrdersAsync(c, tx, $"SELECT {OrderColumns} FROM orders WHERE update_id = $up", ct, ("$up", updateId)))[0];
            return (order, inserted == 1);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<OrderRecord?> TryClaimOrderAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
        {
            long t = now.ToUnixTimeMilliseconds();
            IReadOnlyList<OrderRecord> claimed = await QueryOrdersAsync(c, tx, $"""
                UPDATE orders SET status = 'running', attempts = attempts + 1, lease_owner = $o, lease_until = $l
                WHERE id = (SELECT id FROM orders
                            WHERE (status = 'pending' AND next_attempt_at <= $t) OR (status = 'running' AND lease_until < $t)
                            ORDER BY next_attempt_at, id LIMIT 1)
                RETURNING {OrderColumns}
                """, ct, ("$o", owner), ("$l", t + (long)lease.TotalMilliseconds), ("$t", t));
            if (claimed.Count == 0)
            {
                return null;
            }

            OrderRecord order = claimed[0];
            await ExecAsync(c, tx, "INSERT OR REPLACE INTO order_attempts(order_id, attempt, owner, started_at) VALUES ($id, $a, $o, $t)", ct,
                ("$id", order.Id), ("$a", order.Attempts), ("$o", owner), ("$t", t));
            return order;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RenewLeaseAsync(long orderId, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx,
            "UPDATE orders SET lease_until = $l WHERE id = $id AND status = 'running' AND lease_owner = $o", ct,
            ("$l", leaseUntil.ToUnixTimeMilliseconds()), ("$id", orderId), ("$o", owner)) == 1, cancellationToken);

    /// <inheritdoc />
    public Task<bool> CompleteOrderAsync(long orderId, string owner, string label, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) =>
        {
            long t = now.ToUnixTimeMilliseconds();
            bool ok = await ExecAsync(c, tx, """
                UPDATE orders SET status = 'done', label = $lbl, finished_at = $t, lease_owner = NULL, lease_until = NULL, error = NULL
                WHERE id = $id AND status = 'running' AND lease_owner = $o
                """, ct, ("$lbl", label), ("$t", t), ("$id", orderId), ("$o", owner)) == 1;
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
                UPDATE orders SET status = $s, error = $e, next_attempt_at = $n, lease_owner = NULL, lease_until = NULL,
                                  finished_at = CASE WHEN $s = 'failed' THEN $t ELSE NULL END
                WHERE id = $id AND status = 'running' AND lease_owner = $o
                """, ct, ("$s", final ? "failed" : "pending"), ("$e", error), ("$n", nextAttemptAt.ToUnixTimeMilliseconds()), ("$t", t), ("$id", orderId), ("$o", owner)) == 1;
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
                UPDATE orders SET status = 'pending', attempts = attempts - 1, lease_owner = NULL, lease_until = NULL, next_attempt_at = $t
                WHERE id = $id AND status = 'running' AND lease_owner = $o
                """, ct, ("$t", t), ("$id", orderId), ("$o", owner)) == 1)
            {
                await ExecAsync(c, tx, "DELETE FROM order_attempts WHERE order_id = $id AND owner = $o AND finished_at IS NULL", ct, ("$id", orderId), ("$o", owner));
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrderRecord>> GetUnnotifiedFinishedOrdersAsync(int limit, CancellationToken cancellationToken)
    {
        await using SqliteConnection c = await OpenAsync(cancellationToken);
        return await QueryOrdersAsync(c, null, $"SELECT {OrderColumns} FROM orders WHERE status IN ('done','failed') AND notified = 0 ORDER BY finished_at LIMIT $n", cancellationToken, ("$n", limit));
    }

    /// <inheritdoc />
    public Task MarkNotifiedAsync(long orderId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx, "UPDATE orders SET notified = 1 WHERE id = $id", ct, ("$id", orderId)), cancellationToken);

    /// <inheritdoc />
    public async Task<OrderCounts> GetOrderCountsAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection c = await OpenAsync(cancellationToken);
        await using SqliteCommand cmd = Command(c, null, "SELECT status, COUNT(*) FROM orders GROUP BY status");
        int p = 0, r = 0, d = 0, f = 0;
        await using SqliteDataReader rd = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await rd.ReadAsync(cancellationToken))
        {
            int n = rd.GetInt32(1);
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
        await using SqliteConnection c = await OpenAsync(cancellationToken);
        return userId is { } u
            ? await QueryOrdersAsync(c, null, $"SELECT {OrderColumns} FROM orders WHERE user_id = $u ORDER BY id", cancellationToken, ("$u", u))
            : await QueryOrdersAsync(c, null, $"SELECT {OrderColumns} FROM orders ORDER BY id", cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrderAttempt>> GetOrderAttemptsAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection c = await OpenAsync(cancellationToken);
        await using SqliteCommand cmd = Command(c, null, "SELECT order_id, attempt, owner, started_at, finished_at, outcome FROM order_attempts ORDER BY order_id, attempt");
        var list = new List<OrderAttempt>();
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
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
        await using SqliteConnection c = await OpenAsync(cancellationToken);
        await using SqliteCommand cmd = Command(c, null, "SELECT fact FROM facts WHERE place = $p AND expires_at > $t", ("$p", place), ("$t", now.ToUnixTimeMilliseconds()));
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <inheritdoc />
    public Task PutFactAsync(string place, string fact, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx, "INSERT OR REPLACE INTO facts(place, fact, expires_at) VALUES ($p, $f, $e)", ct,
            ("$p", place), ("$f", fact), ("$e", expiresAt.ToUnixTimeMilliseconds())), cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteExpiredFactsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx, ct) => await ExecAsync(c, tx, "DELETE FROM facts WHERE expires_at <= $t", ct, ("$t", now.ToUnixTimeMilliseconds())), cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _writeLock.Dispose();
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private static Task FinishAttemptAsync(SqliteConnection c, SqliteTransaction tx, long orderId, string owner, long t, string outcome, CancellationToken ct) =>
        ExecAsync(c, tx, "UPDATE order_attempts SET finished_at = $t, outcome = $oc WHERE order_id = $id AND owner = $o AND finished_at IS NULL", ct,
            ("$t", t), ("$oc", outcome), ("$id", orderId), ("$o", owner));

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using SqliteConnection c = await OpenAsync(cancellationToken);
            using TransactionScopeGuard.Scope scope = TransactionScopeGuard.Enter();
            await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(cancellationToken);
            T result = await body(c, tx, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(cancellationToken);
        await ExecAsync(c, null, "PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL;", cancellationToken);
        return c;
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object Value)[] args)
    {
        SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach ((string name, object value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd;
    }

    private static async Task<int> ExecAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using SqliteCommand cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<OrderRecord>> QueryOrdersAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using SqliteCommand cmd = Command(c, tx, sql, args);
        var list = new List<OrderRecord>();
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new OrderRecord(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4),
                Enum.Parse<OrderStatus>(r.GetString(5), ignoreCase: true), r.GetInt32(6), r.IsDBNull(7) ? null : r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.GetInt64(10) != 0));
        }

        return list;
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
