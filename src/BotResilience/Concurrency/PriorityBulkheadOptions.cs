namespace BotResilience.Concurrency;

/// <summary>Options of a <see cref="PriorityBulkhead"/>; validated when the bulkhead is constructed.</summary>
public sealed class PriorityBulkheadOptions
{
    /// <summary>The largest allowed <see cref="MaxConcurrency"/>: 1 048 576.</summary>
    public const int MaxAllowedConcurrency = 1 << 20;

    /// <summary>How many operations may hold a slot at the same time.</summary>
    /// <value>Defaults to 3 (three concurrent calls to a slow AI API). Must be in [1, 1 048 576].</value>
    public int MaxConcurrency { get; set; } = 3;

    /// <summary>
    /// How many callers may wait for a slot. When the queue is full, <see cref="PriorityBulkhead.AcquireAsync"/>
    /// fails at once with <see cref="BulkheadRejectedException"/>. 0 = no queue.
    /// </summary>
    /// <value>Defaults to 50. Must be at least 0.</value>
    public int QueueLimit { get; set; } = 50;

    /// <summary>The name of the bulkhead, used in metrics and exceptions.</summary>
    /// <value>Defaults to <c>"default"</c>. Must not be empty.</value>
    public string Name { get; set; } = "default";

    internal void Validate()
    {
        if (MaxConcurrency < 1 || MaxConcurrency > MaxAllowedConcurrency)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "PriorityBulkheadOptions.MaxConcurrency must be in [1, 1048576].");
        }

        if (QueueLimit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueLimit), QueueLimit, "PriorityBulkheadOptions.QueueLimit must be at least 0.");
        }

        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("PriorityBulkheadOptions.Name must not be null or empty.", nameof(Name));
        }
    }
}
