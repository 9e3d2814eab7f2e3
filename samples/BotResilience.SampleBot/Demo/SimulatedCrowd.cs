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
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly TimeSpan _ackTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentBag<double> _latencies = [];
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
        // Late replies: unanswered commands, and spam warnings still on their way (a spammer's chat answers its first 10
        // messages at Telegram's 1 message/s per chat before the 11th, which earns the warning, is handled).
        while ((!_pending.IsEmpty || Interlocked.Read(ref _spamWarnings) < Interlocked.Read(ref _spamBursts))
               && Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        _platform.BotReplied -= OnReply;
        return new CrowdReport(_settings.Users, Commands, Acknowledged, [.. _latencies], _spamSent, _spamWarnings, _spamBursts, _edits, _replies,
            [.. _pending.Select(p => $"chat {p.Key}: {p.Value.Text}").Take(50)]);
    }

    private void OnReply(BotReply reply)
    {
        Interlocked.Increment(ref _replies);
        if (reply.Text.StartsWith(BotTexts.TooManyRequests, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _spamWarnings);
        }

        // a user has at most one command outstanding: the first non-follow-up message to the chat acknowledges it
        if (!BotTexts.IsFollowUp(reply.Text) && _pending.TryRemove(reply.ChatId, out Pending? p) && p.Done.TrySetResult())
        {
            _latencies.Add(Stopwatch.GetElapsedTime(p.Sent, reply.Timestamp).TotalMilliseconds);
            Interlocked.Increment(ref _acks);
        }
    }

    private async Task CommandAsync(long user, Func<long> send, string text)
    {
        var pending = new Pending(text) { Sent = Stopwatch.GetTimestamp() };
        _pending[user] = pending; // registered before injection: the reply cannot overtake it
        send();
        Interlocked.Increment(ref _commands);
        try
        {
            await pending.Done.Task.WaitAsync(_ackTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // left in _pending: reported as unanswered
        }
    }

    private async Task UserLoopAsync(long user, int index, CancellationToken ct)
    {
        var rnd = new Random(unchecked((int)user * 7919));
        bool helped = false;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(rnd.NextDouble() * (_settings.ThinkTime.Min + _settings.ThinkTime.Max) / 2), ct); // steady state, no stampede
            while (!ct.IsCancellationRequested)
            {
                double roll = rnd.NextDouble();
                string place = Places[rnd.Next(Places.Length)];
                if (roll < 0.12)
                {
                    await CommandAsync(user, () => _platform.SendText(user, "/order " + place + " souvenir"), "/order");
                }
                else if (roll < 0.30)
                {
                    await CommandAsync(user, () => _platform.SendText(user, "/fact " + place), "/fact " + place);
                }
                else if (roll < 0.42)
                {
                    await CommandAsync(user, () => _platform.SendText(user, "/status"), "/status");
                }
                else if (roll < 0.52)
                {
                    await CommandAsync(user, () => _platform.SendText(user, "/help"), "/help");
                    helped = true;
                }
                else if (roll < 0.64 && helped)
                {
                    await CommandAsync(user, () => _platform.PressButton(user, rnd.NextDouble() < 0.5 ? "status" : "fact:" + place), "button");
                }
                else if (roll < 0.74)
                {
                    await CommandAsync(user, () => _platform.SendText(user, "/channels"), "/channels");
                }
                else if (roll < 0.86)
                {
                    double lat = 38.7 + (rnd.NextDouble() / 10), lon = -9.1 + (rnd.NextDouble() / 10);
                    await CommandAsync(user, () => _platform.SendLocation(user, lat, lon, 60), "live location");
                    for (int e = 0; e < 4 && !ct.IsCancellationRequested; e++)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(300 + rnd.Next(700)), ct);
                        _platform.MoveLiveLocation(user, lat + (e * 0.001), lon);
                        Interlocked.Increment(ref _edits);
                    }
                }
                else if (roll < 0.93)
                {
                    await CommandAsync(user, () => _platform.SendLocation(user, 41.7 + (rnd.NextDouble() / 10), 44.8, null), "location");
                }
                else
                {
                    await CommandAsync(user, () => _platform.SendText(user, "hello?"), "text");
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
                _platform.SendText(user, "/status");
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

                await CommandAsync(_settings.AdminUserId, () => _platform.SendText(_settings.AdminUserId, command), command);
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
