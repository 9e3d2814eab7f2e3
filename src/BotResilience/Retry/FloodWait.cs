namespace BotResilience.Retry;

/// <summary>
/// A server-given "try again after" (Bot API 429 <c>retry_after</c>, MTProto <c>FLOOD_WAIT_X</c>, HTTP
/// <c>Retry-After</c>): how long to wait and which scope it pauses.
/// </summary>
/// <param name="RetryAfter">How long the server asked to wait.</param>
/// <param name="Scope">
/// The scope the wait applies to (for example <c>bot</c>, <c>chat:-100123</c>, <c>session:main</c>,
/// <c>method:messages.getHistory</c>); <see langword="null"/> means the caller's default scope.
/// </param>
public readonly record struct FloodWait(TimeSpan RetryAfter, string? Scope = null);
