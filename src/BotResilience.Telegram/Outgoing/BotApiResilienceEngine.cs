using System.Collections.Concurrent;
using BotResilience.CircuitBreaking;
using BotResilience.RateLimiting;
using BotResilience.Retry;
using BotResilience.Telegram.Outgoing;
#pragma warning disable CA2000 // limiters are owned by BotState and disposed with it
using BotResilience.Telegram.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BotResilience.Telegram;

/// <summary>
/// The state behind <see cref="BotApiResilienceHandler"/> instances: limits, flood gate, breaker and scheduler per bot.
/// It outlives handlers (IHttpClientFactory recycles handlers every few minutes; limits must not reset with them).
/// </summary>
internal sealed class BotApiResilienceEngine : IDisposable
{
    private readonly ConcurrentDictionary<string, BotState> _bots = new(StringComparer.Ordinal);
    private readonly FloodGate _gate;

    public BotApiResilienceEngine(BotApiResilienceOptions? options, TimeProvider? timeProvider, ILogger? logger)
    {
        var copy = (options ?? new BotApiResilienceOptions()).Clone();
        copy.Validate();
        Options = copy;
        Time = timeProvider ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
        _gate = copy.FloodGate ?? new FloodGate(Time);
    }

    public BotApiResilienceOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public event EventHandler<ChatMigratedEventArgs>? ChatMigrated;

    public event EventHandler<BotApiFloodWaitEventArgs>? FloodWaitReceived;

    public int QueueLength => _bots.Values.Sum(b => b.Scheduler.QueueLength);

    public BotState GetBot(string botId) => _bots.GetOrAdd(botId, static (id, self) => self.CreateBot(id), this);

    public FloodGate Gate => _gate;

    public TimeSpan GetRemainingPause(string scope) => _gate.GetRemainingPause(scope);

    public void Pause(string scope, TimeSpan duration) => _gate.Pause(scope, duration);

    public void RaiseChatMigrated(object sender, ChatMigratedEventArgs e)
    {
        Options.OnChatMigrated?.Invoke(e);
        ChatMigrated?.Invoke(sender, e);
    }

    public void RaiseFloodWait(object sender, BotApiFloodWaitEventArgs e)
    {
        Options.OnFloodWait?.Invoke(e);
        FloodWaitReceived?.Invoke(sender, e);
    }

    private BotState CreateBot(string botId)
    {
        var o = Options;
        var time = Time;
        var margin = o.LimitSafetyMargin;
        var global = Smoothed(o.GlobalLimit, o.GlobalWindow + margin, o.GlobalBurst, time);
        var paid = Smoothed(o.PaidBroadcastLimit, o.GlobalWindow + margin, Math.Max(o.GlobalBurst, (int)((long)o.GlobalBurst * o.PaidBroadcastLimit / o.GlobalLimit)), time);
        var bucket = new TokenBucketLimiterOptions { TokenLimit = o.PerChatBurst, TokensPerPeriod = 1, ReplenishmentPeriod = o.PerChatPeriod + margin, QueueLimit = 0 };
        var bucketIdle = (bucket.ReplenishmentPeriod * o.PerChatBurst) + TimeSpan.FromSeconds(1);
        var privateChats = new KeyedLimiterMap<string>(() => new TokenBucketLimiter(bucket, time), bucketIdle, time, StringComparer.Ordinal);
        var groupWindow = new SlidingWindowLimiterOptions { PermitLimit = o.GroupLimit, Window = o.GroupWindow + margin, QueueLimit = 0 };
        var groupIdle = (o.PerChatLimitAppliesToGroups && bucketIdle > groupWindow.Window ? bucketIdle : groupWindow.Window) + TimeSpan.FromSeconds(1);
        var groups = new KeyedLimiterMap<string>(
            o.PerChatLimitAppliesToGroups
                ? () => new CompositeLimiter([bucket, groupWindow], time)
                : () => new SlidingWindowLimiter(groupWindow, time),
            groupIdle,
            time,
            StringComparer.Ordinal);
        RateLimitDecision ChatBudget(string key, BotApiChatKind kind) => kind switch
        {
            BotApiChatKind.Private => privateChats.TryAcquire(key),
            BotApiChatKind.Group => groups.TryAcquire(key),
            _ => RateLimitDecision.Granted,
        };

        var scheduler = new SendScheduler(global, paid, ChatBudget, _gate.GetRemainingPause, botId, o.QueueLimit, time);
        var breaker = new CircuitBreaker(
            new CircuitBreakerOptions { Name = "telegram-bot-api", FailureThreshold = o.CircuitBreakerFailureThreshold, BreakDuration = o.CircuitBreakerBreakDuration },
            time);
        return new BotState(botId, scheduler, breaker, privateChats, groups, [global, paid, privateChats, groups]);
    }

    /// <summary>
    /// The exact window, plus a token bucket that spaces grants evenly (burst <paramref name="burst"/>): a whole window's
    /// worth sent at once would reach the server spread by network jitter and overlap the next window there.
    /// </summary>
    private static CompositeLimiter Smoothed(int limit, TimeSpan window, int burst, TimeProvider time)
    {
        var spacing = TimeSpan.FromTicks(Math.Max(1, window.Ticks / limit));
        return new CompositeLimiter(
            [
                new SlidingWindowLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 },
                new TokenBucketLimiterOptions { TokenLimit = Math.Clamp(burst, 1, limit), TokensPerPeriod = 1, ReplenishmentPeriod = spacing, QueueLimit = 0 },
            ],
            time);
    }

    public void Dispose()
    {
        foreach (var bot in _bots.Values)
        {
            bot.Scheduler.Dispose();
            foreach (var d in bot.Disposables)
            {
                d.Dispose();
            }
        }
    }

    internal sealed class BotState(string botId, SendScheduler scheduler, CircuitBreaker breaker, KeyedLimiterMap<string> privateChats, KeyedLimiterMap<string> groups, IDisposable[] disposables)
    {
        public IDisposable[] Disposables { get; } = disposables;

        public string BotId { get; } = botId;

        public SendScheduler Scheduler { get; } = scheduler;

        public CircuitBreaker Breaker { get; } = breaker;

        public KeyedLimiterMap<string> PrivateChats { get; } = privateChats;

        public KeyedLimiterMap<string> Groups { get; } = groups;
    }
}
