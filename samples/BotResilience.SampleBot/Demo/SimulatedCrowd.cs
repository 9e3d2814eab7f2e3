using System.Collections.Concurrent;
using System.Diagnostics;
using BotResilience.SampleBot.Features;

namespace BotResilience.SampleBot.Demo;

/// <summary>What the crowd measured.</summary>
/// <param name="Users">Users.</param>
/// <param name="Commands">Commands that expect an acknowledgement.</param>
/// <param name="Acknowledged">Commands acknowledged.</param>
/// <param name="AckLatenciesMs">Acknowledgement latencies (inject → platform recorded the reply).</param>
/// <param name="SpamSent">Messages sent by spammers.</param>
/// <param name="SpamWarnings">"too many requests" replies received.</param>
/// <param name="SpamBursts">Spam bursts (each expects exactly one warning).</param>
/// <param name="LocationEdits">Live-location edits sent.</param>
/// <param name="RepliesReceived">All bot messages received by crowd users.</param>
/// <param name="Unanswered">Commands never acknowledged (chat id, text).</param>
public sealed record CrowdReport(int Users, long Commands, long Acknowledged, IReadOnlyList<double> AckLatenciesMs, long SpamSent, long SpamWarnings, long SpamBursts, long LocationEdits, long RepliesReceived, IReadOnlyList<string> Unanswered);

/// <summary>Crowd behaviour.</summary>
/// <param name="Users">Concurrent users.</param>
/// <param name="ThinkTime">Pause between a user's commands (min, max); keep ≥ 6 s so normal users stay under 10/min.</param>
/// <param name="SpammerShare">Share of users that burst 15 messages at once.</param>
/// <param name="AdminUserId">The admin (broadcast, kill switch).</param>
/// <param name="AdminScript">Admin commands and when to send them (fraction of the run).</param>
public sealed record CrowdSettings(int Users, (double Min, double Max) ThinkTime, double SpammerShare, long AdminUserId, IReadOnlyList<(double At, string Command)> AdminScript);

/// <summary>
/// Simulated users: each waits for the bot's acknowledgement (or a timeout) before thinking and writing again,
/// so reply latency is measured per command, end to end through the platform.
/// </summary>
public sealed class SimulatedCrowd
{
    private static readonly string[] Places = ["Lisbon", "Porto", "Tbilisi", "Yerevan", "Kazan", "Riga", "Tallinn", "Vilnius", "Kraków", "Gdańsk", "Brno", "Ljubljana", "Zagreb", "Split", "Sofia", "Plovdiv", "Batumi", "Almaty", "Bishkek", "Baku"];
    private readonly IChatPlatform _platform;
    private readonly CrowdSettings _settings;
    private readonly ConcurrentDictionary<(long Chat, long Msg), Pending> _pending = new();
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly ConcurrentDictionary<long, long> _lastBotMessage = new();
    private readonly ConcurrentDictionary<(long Chat, long Msg), long> _early = new();
    private long _commands;
    private long _acks;
    private long _spamSent;
    private long _spamWarnings;
    private long _spamBursts;
    private long _edits;
    private long _replies;

    /// <summary>Creates the crowd.</summary>
    /// <param name="platform">Platform.</param>
    /// <param name="settings">Settings.</param>
    public SimulatedCrowd(IChatPlatform platform, CrowdSettings settings)
    {
        _platform = platform;
        _settings = settings;
        _platform.BotReplied += OnReply;
    }

    /// <summary>Commands sent so far.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>Acknowledged so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acks);

    /// <summary>Latencies so far (copy).</summary>
    public double[] LatenciesSnapshot() => [.. _latencies];

    /// <summary>First user id.</summary>
    public const long FirstUserId = 100_000;

    /// <summary>Runs the crowd until <paramref name="stop"/>, then waits up to <paramref name="settle"/> for outstanding acknowledgements.</summary>
    /// <param name="duration">How long users keep writing.</param>
    /// <param name="settle">How long to wait for late replies.</param>
    /// <param name="cancellationToken">Abort.</param>
    public async Task<CrowdReport> RunAsync(TimeSpan duration, TimeSpan settle, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var tasks = new List<Task>(_settings.Users + 1);
        int spammers = (int)Math.Round(_settings.Users * _settings.SpammerShare);
        for (int i = 0; i < _settings.Users; i++)
        {
            long user = FirstUserId + i;
            bool spammer = i < spammers;
            tasks.Add(Task.Run(() => spammer ? SpamLoopAsync(user, stop.Token) : UserLoopAsync(user, i, stop.Token), CancellationToken.None));
        }

        tasks.Add(Task.Run(() => AdminLoopAsync(duration, stop.Token), CancellationToken.None));
        await Task.WhenAll(tasks);
        long deadline = Stopwatch.GetTimestamp() + (long)(settle.TotalSeconds * Stopwatch.Frequency);
        while (!_pending.IsEmpty && Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        _platform.BotReplied -= OnReply;
        return new CrowdReport(_settings.Users, Commands, Acknowledged, [.. _latencies], _spamSent, _spamWarnings, _spamBursts, _edits, _replies,
            [.. _pending.Select(p => $"chat {p.Key.Chat}: {p.Value.Text}").Take(50)]);
    }

    private void OnReply(BotReply reply)
    {
        Interlocked.Increment(ref _replies);
        if (reply.Text.StartsWith(BotTexts.TooManyRequests, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _spamWarnings);
        }

        if (reply.ReplyToMessageId is not { } id)
        {
            return;
        }

        var key = (reply.ChatId, id);
        if (_pending.TryRemove(key, out Pending? p))
        {
            Complete(p, reply.Timestamp);
            return;
        }

        // the reply overtook the injection call: park it; CommandAsync picks it up
        _early[key] = reply.Timestamp;
        if (_pending.TryRemove(key, out p))
        {
            _early.TryRemove(key, out _);
            Complete(p, reply.Timestamp);
        }
    }

    private void Complete(Pending p, long timestamp)
    {
        if (p.Done.TrySetResult())
        {
            _latencies.Add(Stopwatch.GetElapsedTime(p.Sent, timestamp).TotalMilliseconds);
            Interlocked.Increment(ref _acks);
        }
    }

    private async Task<bool> CommandAsync(long user, Func<Task<long>> send, string text, CancellationToken ct)
    {
        var pending = new Pending(text);
        long id;
        try
        {
            pending.Sent = Stopwatch.GetTimestamp();
            // register before the update can be answered: the id is only known after injection, so reserve first
            id = await send();
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            return false;
        }

        Interlocked.Increment(ref _commands);
        if (!_pending.TryAdd((user, id), pending))
        {
            return false;
        }

        if (_early.TryRemove((user, id), out long at) && _pending.TryRemove((user, id), out _))
        {
            Complete(pending, at);
            return true;
        }

        try
        {
            await pending.Done.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // left in _pending: reported as unanswered
        }

        return true;
    }

    private async Task UserLoopAsync(long user, int index, CancellationToken ct)
    {
        var rnd = new Random(unchecked((int)user * 7919));
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(rnd.NextDouble() * _settings.ThinkTime.Max), ct);
            while (!ct.IsCancellationRequested)
            {
                double roll = rnd.NextDouble();
                string place = Places[rnd.Next(Places.Length)];
                if (roll < 0.12)
                {
                    await CommandAsync(user, () => _platform.SendTextAsync(user, "/order " + place + " souvenir", ct), "/order", ct);
                }
                else if (roll < 0.30)
                {
                    await CommandAsync(user, () => _platform.SendTextAsync(user, "/fact " + place, ct), "/fact " + place, ct);
                }
                else if (roll < 0.42)
                {
                    await CommandAsync(user, () => _platform.SendTextAsync(user, "/status", ct), "/status", ct);
                }
                else if (roll < 0.52)
                {
                    await CommandAsync(user, () => _platform.SendTextAsync(user, "/help", ct), "/help", ct);
                }
                else if (roll < 0.64)
                {
                    long on = _lastBotMessage.TryGetValue(user, out long m) ? m : 0;
                    await CommandAsync(user, () => _platform.PressButtonAsync(user, on, rnd.NextDouble() < 0.5 ? "status" : "fact:" + place, ct), "button", ct);
                }
                else if (roll < 0.74)
                {
                    await CommandAsync(user, () => _platform.SendTextAsync(user, "/channels", ct), "/channels", ct);
                }
                else if (roll < 0.86)
                {
                    double lat = 38.7 + (rnd.NextDouble() / 10), lon = -9.1 + (rnd.NextDouble() / 10);
                    long locId = 0;
                    await CommandAsync(user, async () => locId = await _platform.SendLocationAsync(user, lat, lon, 60, ct), "live location", ct);
                    for (int e = 0; e < 4 && !ct.IsCancellationRequested; e++)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(300 + rnd.Next(700)), ct);
                        await _platform.EditLocationAsync(user, locId, lat + (e * 0.001), lon, ct);
                        Interlocked.Increment(ref _edits);
                    }
                }
                else if (roll < 0.93)
                {
                    await CommandAsync(user, () => _platform.SendLocationAsync(user, 41.7 + (rnd.NextDouble() / 10), 44.8, null, ct), "location", ct);
                }
                else
                {
                    await CommandAsync(user, () => _platform.SendTextAsync(user, "hello?", ct), "text", ct);
                }

                await Task.Delay(TimeSpan.FromSeconds(_settings.ThinkTime.Min + (rnd.NextDouble() * (_settings.ThinkTime.Max - _settings.ThinkTime.Min))), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task SpamLoopAsync(long user, CancellationToken ct)
    {
        var rnd = new Random(unchecked((int)user * 104729));
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(rnd.NextDouble() * 2), ct);
            Interlocked.Increment(ref _spamBursts);
            for (int i = 0; i < 15 && !ct.IsCancellationRequested; i++)
            {
                await _platform.SendTextAsync(user, "/status", ct);
                Interlocked.Increment(ref _spamSent);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task AdminLoopAsync(TimeSpan duration, CancellationToken ct)
    {
        try
        {
            long start = Stopwatch.GetTimestamp();
            foreach ((double at, string command) in _settings.AdminScript.OrderBy(s => s.At))
            {
                TimeSpan wait = (duration * at) - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                await CommandAsync(_settings.AdminUserId, () => _platform.SendTextAsync(_settings.AdminUserId, command, ct), command, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private sealed class Pending(string text)
    {
        public string Text { get; } = text;

        public long Sent { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
