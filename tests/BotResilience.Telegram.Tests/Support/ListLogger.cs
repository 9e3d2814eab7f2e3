using Microsoft.Extensions.Logging;

namespace BotResilience.Telegram.Tests.Support;

/// <summary>Collects every formatted log line (and exception text) for token-leak checks.</summary>
internal sealed class ListLogger : ILogger
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines)
        {
            Lines.Add(formatter(state, exception) + (exception is null ? string.Empty : " | " + exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var pair in pairs)
                {
                    Lines.Add(pair.Key + "=" + pair.Value);
                }
            }
        }
    }
}
