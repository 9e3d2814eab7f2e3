using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace BotResilience.PostgreSql.Schema;

/// <summary>
/// Creates (idempotently) the tables and functions the PostgreSQL components use. Call
/// <see cref="MigrateAsync"/> once at start-up, from any number of replicas at once: the migration runs
/// under a transaction-level advisory lock, and every statement is <c>IF NOT EXISTS</c> / <c>OR REPLACE</c>.
/// </summary>
public static partial class PostgreSqlSchema
{
    /// <summary>The default schema name: <c>botresilience</c>.</summary>
    public const string DefaultSchema = "botresilience";

    /// <summary>The schema version this package creates.</summary>
    public const int Version = 1;

    private const long MigrationLockKey = 0x426F745265734D67; // "BotResMg"

    /// <summary>Creates or upgrades the schema <paramref name="schema"/> in the database of <paramref name="dataSource"/>.</summary>
    /// <param name="dataSource">Where to migrate.</param>
    /// <param name="schema">Schema name: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid identifier.</exception>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, string schema = DefaultSchema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var quoted = QuoteSchema(schema);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
        await using (lockCommand.ConfigureAwait(false))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = MigrationLockKey });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var command = new NpgsqlCommand(BuildScript(quoted), connection, transaction);

        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Validates <paramref name="schema"/> and returns it double-quoted for use in SQL text.</summary>
    internal static string QuoteSchema(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!IdentifierPattern().IsMatch(schema))
        {
            throw new ArgumentException(
                $"Schema must be 1 to 63 lower-case letters, digits or underscores, starting with a letter or underscore; got '{schema}'.",
                nameof(schema));
        }

        return "\"" + schema + "\"";
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    private static string BuildScript(string s) => string.Format(CultureInfo.InvariantCulture, """
        CREATE SCHEMA IF NOT EXISTS {0};

        CREATE TABLE IF NOT EXISTS {0}.schema_version (version integer NOT NULL);
        INSERT INTO {0}.schema_version (version) SELECT {1} WHERE NOT EXISTS (SELECT 1 FROM {0}.schema_version);
        UPDATE {0}.schema_version SET version = GREATEST(version, {1});

        CREATE TABLE IF NOT EXISTS {0}.sliding_log (
            limiter text NOT NULL, key text NOT NULL,
            granted_us bigint NOT NULL, expires_us bigint NOT NULL, permits integer NOT NULL);
        CREATE INDEX IF NOT EXISTS sliding_log_by_key ON {0}.sliding_log (limiter, key, granted_us);
        CREATE INDEX IF NOT EXISTS sliding_log_by_expiry ON {0}.sliding_log (expires_us);

        CREATE TABLE IF NOT EXISTS {0}.token_bucket (
            limiter text NOT NULL, key text NOT NULL,
            level numeric NOT NULL, updated_us bigint NOT NULL, full_us bigint NOT NULL,
            PRIMARY KEY (limiter, key));
        CREATE INDEX IF NOT EXISTS token_bucket_by_full ON {0}.token_bucket (full_us);

        CREATE TABLE IF NOT EXISTS {0}.flood_gate (scope text PRIMARY KEY, deadline_us bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS flood_gate_by_deadline ON {0}.flood_gate (deadline_us);

        CREATE TABLE IF NOT EXISTS {0}.processed_updates (
            bot text NOT NULL, update_id bigint NOT NULL, claimed_us bigint NOT NULL,
            PRIMARY KEY (bot, update_id));
        CREATE INDEX IF NOT EXISTS processed_updates_by_age ON {0}.processed_updates (claimed_us);

        -- The server's clock, in microseconds since the Unix epoch: every replica shares it.
        CREATE OR REPLACE FUNCTION {0}.now_us() RETURNS bigint LANGUAGE sql VOLATILE AS
        $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint $$;

        -- Exact sliding log: a grant at t counts while now < t + window. Serialised per (limiter, key).
        -- Other callers' amortised cleanup may delete rows of this key that were expired on THEIR clock; so the
        -- decision's clock is read inside the same statement as the key's rows (after its snapshot): every row
        -- missing from that snapshot was expired at a time <= v_now, and rows expired at v_now are filtered.
        CREATE OR REPLACE FUNCTION {0}.sliding_acquire(
            p_limiter text, p_key text, p_permits integer, p_limit integer, p_window_us bigint)
        RETURNS TABLE (granted boolean, retry_after_us bigint, server_us bigint) LANGUAGE plpgsql AS $$
        DECLARE v_clean bigint; v_now bigint; v_used bigint; v_freed bigint := 0;
                v_expires bigint[]; v_permits integer[];
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext(p_limiter), hashtext(p_key));
            v_clean := {0}.now_us();
            DELETE FROM {0}.sliding_log l WHERE l.limiter = p_limiter AND l.key = p_key AND l.expires_us <= v_clean;
            -- amortised expiry of idle keys (bounded work per call)
            DELETE FROM {0}.sliding_log l WHERE l.ctid = ANY (ARRAY(
                SELECT x.ctid FROM {0}.sliding_log x WHERE x.expires_us <= v_clean LIMIT 32 FOR UPDATE SKIP LOCKED));
            SELECT c.t, coalesce(sum(l.permits), 0),
                   array_agg(l.expires_us ORDER BY l.granted_us), array_agg(l.permits ORDER BY l.granted_us)
              INTO v_now, v_used, v_expires, v_permits
              FROM (SELECT {0}.now_us() AS t OFFSET 0) c
              LEFT JOIN {0}.sliding_log l ON l.limiter = p_limiter AND l.key = p_key AND l.expires_us > c.t
             GROUP BY c.t;
            IF v_used + p_permits <= p_limit THEN
                INSERT INTO {0}.sliding_log VALUES (p_limiter, p_key, v_now, v_now + p_window_us, p_permits);
                RETURN QUERY SELECT true, 0::bigint, v_now;
                RETURN;
            END IF;
            FOR i IN 1 .. coalesce(array_length(v_expires, 1), 0) LOOP
                v_freed := v_freed + v_permits[i];
                IF v_used - v_freed + p_permits <= p_limit THEN
                    RETURN QUERY SELECT false, v_expires[i] - v_now, v_now;
                    RETURN;
                END IF;
            END LOOP;
            RETURN QUERY SELECT false, p_window_us, v_now;
        END $$;

        -- Token bucket refilled continuously; the level is kept exactly in units of token * period_us.
        CREATE OR REPLACE FUNCTION {0}.bucket_acquire(
            p_limiter text, p_key text, p_permits integer, p_capacity integer, p_tokens_per_period integer, p_period_us bigint)
        RETURNS TABLE (granted boolean, retry_after_us bigint, server_us bigint) LANGUAGE plpgsql AS $$
        DECLARE v_clean bigint; v_now bigint; v_level numeric; v_updated bigint;
                v_cap numeric := p_capacity::numeric * p_period_us; v_need numeric := p_permits::numeric * p_period_us;
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext(p_limiter), hashtext(p_key));
            v_clean := {0}.now_us();
            DELETE FROM {0}.token_bucket b WHERE b.ctid = ANY (ARRAY(
                SELECT x.ctid FROM {0}.token_bucket x WHERE x.full_us <= v_clean LIMIT 32 FOR UPDATE SKIP LOCKED));
            SELECT b.level, b.updated_us INTO v_level, v_updated FROM {0}.token_bucket b
                WHERE b.limiter = p_limiter AND b.key = p_key FOR UPDATE;
            -- Read the clock after the row: a row deleted by another caller's cleanup was full at a time <= v_now.
            v_now := {0}.now_us();
            IF NOT FOUND THEN
                v_level := v_cap;
            ELSE
                v_level := least(v_cap, v_level + greatest(0, v_now - v_updated)::numeric * p_tokens_per_period);
            END IF;
            IF v_level >= v_need THEN
                v_level := v_level - v_need;
                INSERT INTO {0}.token_bucket AS b VALUES (p_limiter, p_key, v_level, v_now,
                    v_now + ceil((v_cap - v_level) / p_tokens_per_period)::bigint)
                ON CONFLICT (limiter, key) DO UPDATE SET level = excluded.level, updated_us = excluded.updated_us, full_us = excluded.full_us;
                RETURN QUERY SELECT true, 0::bigint, v_now;
                RETURN;
            END IF;
            RETURN QUERY SELECT false, ceil((v_need - v_level) / p_tokens_per_period)::bigint, v_now;
        END $$;

        -- Flood gate: deadlines only move later (merged with GREATEST); returns the time left.
        CREATE OR REPLACE FUNCTION {0}.flood_pause(p_scope text, p_duration_us bigint)
        RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE v_now bigint := {0}.now_us(); v_deadline bigint;
        BEGIN
            DELETE FROM {0}.flood_gate g WHERE g.ctid = ANY (ARRAY(
                SELECT x.ctid FROM {0}.flood_gate x WHERE x.deadline_us <= v_now AND x.scope <> p_scope LIMIT 32 FOR UPDATE SKIP LOCKED));
            INSERT INTO {0}.flood_gate AS g (scope, deadline_us) VALUES (p_scope, v_now + p_duration_us)
            ON CONFLICT (scope) DO UPDATE SET deadline_us = GREATEST(g.deadline_us, excluded.deadline_us)
            RETURNING g.deadline_us INTO v_deadline;
            RETURN GREATEST(0, v_deadline - v_now);
        END $$;

        CREATE OR REPLACE FUNCTION {0}.flood_remaining(p_scope text)
        RETURNS bigint LANGUAGE sql VOLATILE AS $$
            SELECT coalesce((SELECT GREATEST(0, g.deadline_us - {0}.now_us()) FROM {0}.flood_gate g WHERE g.scope = p_scope), 0)
        $$;

        -- Update de-duplication: true for exactly one caller per (bot, update_id); old ids are pruned.
        CREATE OR REPLACE FUNCTION {0}.claim_update(p_bot text, p_update_id bigint, p_retention_us bigint)
        RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE v_now bigint := {0}.now_us(); v_rows integer;
        BEGIN
            INSERT INTO {0}.processed_updates VALUES (p_bot, p_update_id, v_now) ON CONFLICT DO NOTHING;
            GET DIAGNOSTICS v_rows = ROW_COUNT;
            DELETE FROM {0}.processed_updates u WHERE u.ctid = ANY (ARRAY(
                SELECT x.ctid FROM {0}.processed_updates x WHERE x.claimed_us < v_now - p_retention_us LIMIT 64 FOR UPDATE SKIP LOCKED));
            RETURN v_rows = 1;
        END $$;
        """, s, Version);
}
