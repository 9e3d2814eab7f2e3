using BotResilience.PostgreSql.Schema;

namespace BotResilience.PostgreSql.FloodGating;

/// <summary>Options of <see cref="PostgreSqlFloodGate"/>.</summary>
public sealed class PostgreSqlFloodGateOptions
{
    /// <summary>The schema created by <see cref="PostgreSqlSchema.MigrateAsync"/>.</summary>
    /// <value>Default <c>botresilience</c>.</value>
    public string Schema { get; set; } = PostgreSqlSchema.DefaultSchema;

    /// <summary>After a failed round trip, how long only the local gate is used before the database is tried again.</summary>
    /// <value>Default 5 s; greater than zero.</value>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        _ = PostgreSqlSchema.QuoteSchema(Schema);
        if (RecheckInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RecheckInterval), RecheckInterval, "PostgreSqlFloodGateOptions.RecheckInterval must be greater than zero.");
        }
    }
}
