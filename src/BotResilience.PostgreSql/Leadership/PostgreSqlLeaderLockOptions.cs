namespace BotResilience.PostgreSql.Leadership;

/// <summary>Options of <see cref="PostgreSqlLeaderLock"/>.</summary>
public sealed class PostgreSqlLeaderLockOptions
{
    /// <summary>
    /// The lock's name: every replica that uses the same name competes for one leadership. Hashed to the 64-bit
    /// advisory-lock key with a stable hash (FNV-1a), so it means the same in every process and version.
    /// </summary>
    /// <value>Default <c>botresilience-leader</c>; must not be empty.</value>
    public string Name { get; set; } = "botresilience-leader";

    /// <summary>How often the leader checks that its dedicated connection (and so its lock) is still alive.</summary>
    /// <value>Default 5 s; greater than zero.</value>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a standby tries to take the lock over.</summary>
    /// <value>Default 5 s; greater than zero.</value>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("PostgreSqlLeaderLockOptions.Name must not be empty.", nameof(Name));
        }

        if (CheckInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckInterval), CheckInterval, "PostgreSqlLeaderLockOptions.CheckInterval must be greater than zero.");
        }

        if (RetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryInterval), RetryInterval, "PostgreSqlLeaderLockOptions.RetryInterval must be greater than zero.");
        }
    }

    /// <summary>The advisory-lock key for <see cref="Name"/> (FNV-1a 64 over UTF-8).</summary>
    internal long LockKey
    {
        get
        {
            var hash = 14695981039346656037UL;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(Name))
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            return unchecked((long)hash);
        }
    }
}
