namespace BotResilience.Retry;

/// <summary>
/// Keyed pause deadlines shared by every caller: once a flood wait is learned for a scope, every call in that
/// scope is held until the deadline. Deadlines only move later (merged with max), cannot be released early,
/// and are forgotten once passed.
/// </summary>
public interface IFloodGate
{
    /// <summary>Pauses <paramref name="scope"/> until at least now + <paramref name="duration"/>.</summary>
    /// <param name="scope">The scope to pause.</param>
    /// <param name="duration">How long; must not be negative.</param>
    /// <param name="cancellationToken">Cancels the operation (relevant for shared, database-backed gates).</param>
    ValueTask PauseAsync(string scope, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Time left until <paramref name="scope"/> opens; <see cref="TimeSpan.Zero"/> when open.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<TimeSpan> GetRemainingPauseAsync(string scope, CancellationToken cancellationToken = default);

    /// <summary>Completes when <paramref name="scope"/> is open (at once when it is not paused).</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    ValueTask WaitAsync(string scope, CancellationToken cancellationToken = default);
}
