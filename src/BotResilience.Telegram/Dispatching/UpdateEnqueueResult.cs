namespace BotResilience.Telegram.Dispatching;

/// <summary>What the dispatcher did with an update offered to it.</summary>
public enum UpdateEnqueueResult
{
    /// <summary>Queued; it will be handled.</summary>
    Accepted = 0,

    /// <summary>Its <c>update_id</c> was seen recently: dropped.</summary>
    Duplicate = 1,

    /// <summary>Its user exceeded the per-user limit: dropped (the user is told once per window).</summary>
    UserThrottled = 2,

    /// <summary>The queue is full: not taken (nothing recorded, so a re-send is accepted later).</summary>
    QueueFull = 3,

    /// <summary>The dispatcher is stopping or stopped.</summary>
    Stopped = 4,
}
