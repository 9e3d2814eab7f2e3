namespace BotResilience.Telegram.Polling;

/// <summary>Options of <see cref="LongPollingReceiver"/>.</summary>
public sealed class LongPollingOptions
{
    /// <summary>The Bot API server.</summary>
    /// <value>Default <c>https://api.telegram.org</c>.</value>
    public Uri BaseAddress { get; set; } = new("https://api.telegram.org");

    /// <summary>The long-poll timeout sent to <c>getUpdates</c> (the <see cref="HttpClient.Timeout"/> must be longer).</summary>
    /// <value>Default 30 s; zero (short polling) to 1 h, whole seconds.</value>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Updates per <c>getUpdates</c> call.</summary>
    /// <value>Default 100; 1 to 100.</value>
    public int Limit { get; set; } = 100;

    /// <summary>The <c>allowed_updates</c> filter; <see langword="null"/> keeps the server's setting.</summary>
    public IReadOnlyList<string>? AllowedUpdates { get; set; }

    /// <summary>The first offset (<c>update_id</c> + 1 of the last update already handled); <see langword="null"/> starts where the server is.</summary>
    public long? InitialOffset { get; set; }

    /// <summary>The first delay after an error (5xx, network, timeout); doubles up to <see cref="MaxBackoff"/>, jittered.</summary>
    /// <value>Default 1 s; 1 ms to 1 h.</value>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest delay between failing calls.</summary>
    /// <value>Default 60 s; at least <see cref="InitialBackoff"/>, at most 1 h.</value>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseAddress, nameof(BaseAddress));
        if (PollTimeout < TimeSpan.Zero || PollTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PollTimeout), PollTimeout, "PollTimeout must be between 0 and 1 h.");
        }

        if (Limit is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, "Limit must be between 1 and 100.");
        }

        if (InitialBackoff < TimeSpan.FromMilliseconds(1) || InitialBackoff > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), InitialBackoff, "InitialBackoff must be between 1 ms and 1 h.");
        }

        if (MaxBackoff < InitialBackoff || MaxBackoff > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff, "MaxBackoff must be between InitialBackoff and 1 h.");
        }
    }
}
