namespace BotResilience.PostgreSql.Availability;

/// <summary>The database could not be reached and the component is configured to fail closed.</summary>
public sealed class PostgreSqlUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PostgreSqlUnavailableException()
        : this("The PostgreSQL database is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PostgreSqlUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the database error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The database error.</param>
    public PostgreSqlUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
