namespace BotResilience.Telegram.Dispatching;

/// <summary>Options of <see cref="UpdateDispatcher{TUpdate}"/> and <see cref="UpdateDispatcher"/>.</summary>
public sealed class UpdateDispatcherOptions
{
    /// <summary>Updates handled at the same time (different chats only: one chat is always handled in order).</summary>
    /// <value>Default 10; 1 to 10 000.</value>
    public int MaxConcurrency { get; set; } = 10;

    /// <summary>Updates that may wait to be handled; beyond it <c>TryEnqueue</c> returns <see cref="UpdateEnqueueResult.QueueFull"/> and <c>EnqueueAsync</c> waits.</summary>
    /// <value>Default 1000; 1 to 10 000 000.</value>
    public int QueueLimit { get; set; } = 1000;

    /// <summary>How long a handler may run: then its token is cancelled, the timeout is reported and the dispatcher moves on.</summary>
    /// <value>Default 25 s (a webhook answer must come well before Telegram gives up); 1 ms to 1 day, or <see cref="Timeout.InfiniteTimeSpan"/>.</value>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How many recent <c>update_id</c>s are remembered to drop duplicates (memory is bounded by this).</summary>
    /// <value>Default 10 000; 0 (no deduplication) to 10 000 000.</value>
    public int DeduplicationCapacity { get; set; } = 10_000;

    /// <summary>Updates one user may send within <see cref="UserRateWindow"/> (exact sliding window); more are dropped and the user is told once per window.</summary>
    /// <value>Default 10; 0 disables the limit; at most 1 000 000.</value>
    public int UserRateLimit { get; set; } = 10;

    /// <summary>The window of <see cref="UserRateLimit"/>.</summary>
    /// <value>Default 60 s; 1 ms to 1 day.</value>
    public TimeSpan UserRateWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether <c>StopAsync</c> lets queued updates finish (<see langword="true"/>) or cancels them and the running handlers.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool DrainOnStop { get; set; } = true;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public void Validate()
    {
        Check(MaxConcurrency, 1, 10_000, nameof(MaxConcurrency));
        Check(QueueLimit, 1, 10_000_000, nameof(QueueLimit));
        Check(DeduplicationCapacity, 0, 10_000_000, nameof(DeduplicationCapacity));
        Check(UserRateLimit, 0, 1_000_000, nameof(UserRateLimit));
        if (HandlerTimeout != Timeout.InfiniteTimeSpan && (HandlerTimeout < TimeSpan.FromMilliseconds(1) || HandlerTimeout > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(HandlerTimeout), HandlerTimeout, "HandlerTimeout must be between 1 ms and 1 day, or Timeout.InfiniteTimeSpan.");
        }

        if (UserRateWindow < TimeSpan.FromMilliseconds(1) || UserRateWindow > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(UserRateWindow), UserRateWindow, "UserRateWindow must be between 1 ms and 1 day.");
        }
    }

    internal UpdateDispatcherOptions Clone() => (UpdateDispatcherOptions)MemberwiseClone();

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }
}
