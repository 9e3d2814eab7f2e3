namespace BotResilience.Telegram.Testing.Updates;

/// <summary>
/// A broadcast "something changed" signal: <see cref="Task"/> completes at the next <see cref="Pulse"/>. Waiters
/// capture <see cref="Task"/> before checking their condition, so no change can be missed.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => Volatile.Read(ref _next).Task;

    public void Pulse()
    {
        var previous = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
