namespace BotResilience.Telegram.Testing.Protocol;

/// <summary>A transport-neutral answer: a JSON body and a status, or an instruction to drop the connection.</summary>
internal readonly record struct BotApiResponse(int StatusCode, byte[] Body, bool AbortConnection)
{
    public static BotApiResponse Abort => new(0, [], AbortConnection: true);
}
