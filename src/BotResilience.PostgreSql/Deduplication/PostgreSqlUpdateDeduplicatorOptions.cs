using BotResilience.PostgreSql.Availability;
using BotResilience.PostgreSql.Schema;

namespace BotResilience.PostgreSql.Deduplication;

/// <summary>Options of <see cref="PostgreSqlUpdateDeduplicator"/>.</summary>
public sealed class PostgreSqlUpdateDeduplicatorOptions
{
    /// <summary>Which bot the update ids belong to (update ids are per bot); replicas of one bot use the same value.</summary>
    /// <value>Default <c>default</c>; must not be empty. Do not use the bot token (it would be stored).</value>
    public string BotId { get; set; } = "default";

    /// <summary>How long a claimed id is remembered. Telegram keeps undelivered updates for up to 24 hours.</summary>
    /// <value>Default 24 h; greater than zero.</value>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The schema created by <see cref="PostgreSqlSchema.MigrateAsync"/>.</summary>
    /// <value>Default <c>botresilience</c>.</value>
    public string Schema { get; set; } = PostgreSqlSchema.DefaultSchema;

    /// <summary>
    /// While the database is unreachable: <see cref="PostgreSqlUnavailablePolicy.FallBackToLocal"/> de-duplicates
    /// per process (an update re-sent to another replica may then run twice);
    /// <see cref="PostgreSqlUnavailablePolicy.FailClosed"/> throws <see cref="PostgreSqlUnavailableException"/> so
    /// the webhook answers 5xx and Telegram re-sends later (nothing runs twice, nothing is lost).
    /// </summary>
    /// <value>Default <see cref="PostgreSqlUnavailablePolicy.FallBackToLocal"/>.</value>
    public PostgreSqlUnavailablePolicy UnavailablePolicy { get; set; } = PostgreSqlUnavailablePolicy.FallBackToLocal;

    /// <summary>How many recent ids the local fallback remembers.</summary>
    /// <value>Default 10 000; at least 1.</value>
    public int LocalCapacity { get; set; } = 10_000;

    /// <summary>After a failed round trip, how long the fallback is used before the database is tried again.</summary>
    /// <value>Default 5 s; greater than zero.</value>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(BotId))
        {
            throw new ArgumentException("PostgreSqlUpdateDeduplicatorOptions.BotId must not be empty.", nameof(BotId));
        }

        if (Retention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Retention), Retention, "PostgreSqlUpdateDeduplicatorOptions.Retention must be greater than zero.");
        }

        _ = PostgreSqlSchema.QuoteSchema(Schema);
        if (LocalCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LocalCapacity), LocalCapacity, "PostgreSqlUpdateDeduplicatorOptions.LocalCapacity must be at least 1.");
        }

        if (RecheckInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RecheckInterval), RecheckInterval, "PostgreSqlUpdateDeduplicatorOptions.RecheckInterval must be greater than zero.");
        }
    }
}
