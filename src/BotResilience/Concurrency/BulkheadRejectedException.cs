namespace BotResilience.Concurrency;

/// <summary>
/// Thrown by <see cref="PriorityBulkhead.AcquireAsync"/> when every slot is taken and the waiting queue is full:
/// the bot should answer "overloaded, try later" instead of waiting.
/// </summary>
public sealed class BulkheadRejectedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public BulkheadRejectedException()
        : this("The bulkhead is full: the call was rejected.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public BulkheadRejectedException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public BulkheadRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        BulkheadName = string.Empty;
    }

    /// <summary>Creates the exception describing a rejection by the bulkhead <paramref name="bulkheadName"/>.</summary>
    /// <param name="bulkheadName">The name of the bulkhead.</param>
    /// <param name="queueLength">The number of waiting callers when the call was rejected.</param>
    public BulkheadRejectedException(string bulkheadName, int queueLength)
        : base($"The bulkhead '{bulkheadName}' is full ({queueLength} callers waiting): try later.")
    {
        BulkheadName = bulkheadName;
        QueueLength = queueLength;
    }

    /// <summary>The name of the bulkhead that rejected the call.</summary>
    public string BulkheadName { get; }

    /// <summary>The number of waiting callers when the call was rejected.</summary>
    public int QueueLength { get; }
}
