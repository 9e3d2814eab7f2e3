namespace BotResilience.SampleBot.Configuration;

/// <summary>Validates <see cref="SampleBotOptions"/> at start, naming the option and the allowed range.</summary>
public static class SampleBotOptionsValidator
{
    /// <summary>Returns every problem found (empty when valid).</summary>
    /// <param name="o">The options (after <see cref="SampleBotConfiguration.Normalize"/>).</param>
    public static IReadOnlyList<string> Validate(SampleBotOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var errors = new List<string>();
        bool hasToken = !string.IsNullOrWhiteSpace(o.BotToken);

        switch (o.Mode)
        {
            case BotMode.Demo when hasToken:
                errors.Add("SampleBot:Mode: demo mode runs against the built-in emulator; remove BOT_TOKEN or choose --mode polling|webhook.");
                break;
            case BotMode.Webhook or BotMode.Polling when !hasToken:
                errors.Add($"BOT_TOKEN: --mode {o.Mode.ToString()!.ToLowerInvariant()} talks to real Telegram and needs a bot token (env BOT_TOKEN or SampleBot:BotToken).");
                break;
        }

        if (hasToken && !System.Text.RegularExpressions.Regex.IsMatch(o.BotToken!, @"^\d+:[A-Za-z0-9_-]{20,}$"))
        {
            errors.Add("BOT_TOKEN: expected the form <digits>:<at least 20 letters, digits, '_' or '-'> as given by @BotFather.");
        }

        if (o.Mode == BotMode.Webhook)
        {
            if (string.IsNullOrWhiteSpace(o.PublicUrl))
            {
                errors.Add("SampleBot:PublicUrl (--public-url): webhook mode needs the public HTTPS address Telegram can reach, e.g. https://bot.example.com.");
            }
            else if (!Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out Uri? u) || u.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"SampleBot:PublicUrl: '{o.PublicUrl}' is not an absolute https:// address (Telegram delivers webhooks over HTTPS only).");
            }
        }

        if (!string.IsNullOrEmpty(o.WebhookSecret) && !System.Text.RegularExpressions.Regex.IsMatch(o.WebhookSecret, "^[A-Za-z0-9_-]{1,256}$"))
        {
            errors.Add("SampleBot:WebhookSecret: 1-256 characters A-Z, a-z, 0-9, '_' and '-' (Telegram's secret_token rule).");
        }

        if (!Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out _))
        {
            errors.Add($"SampleBot:ApiBaseUrl: '{o.ApiBaseUrl}' is not an absolute URL.");
        }

        if (!Uri.TryCreate(o.ListenUrl, UriKind.Absolute, out _))
        {
            errors.Add($"SampleBot:ListenUrl (--listen): '{o.ListenUrl}' is not an absolute URL such as http://127.0.0.1:8080.");
        }

        Range(errors, "SampleBot:DurationSeconds (--duration)", o.DurationSeconds ?? 0, 0, 86_400, "seconds, 0 = until Ctrl+C");
        Range(errors, "SampleBot:Users (--users)", o.Users, 1, 20_000, "simulated users");
        Range(errors, "SampleBot:DelayScale (--delay-scale)", o.DelayScale, 0.001, 100, "factor");
        Range(errors, "SampleBot:SpamPermitLimit", o.SpamPermitLimit, 1, 10_000, "messages");
        Positive(errors, "SampleBot:SpamWindow", o.SpamWindow);
        Positive(errors, "SampleBot:HandlerTimeout", o.HandlerTimeout);
        Positive(errors, "SampleBot:WatchdogSilence", o.WatchdogSilence);
        if (o.WatchdogGrace < TimeSpan.Zero)
        {
            errors.Add("SampleBot:WatchdogGrace: must not be negative.");
        }

        if (o.WatchdogAction is not ("exit" or "log"))
        {
            errors.Add($"SampleBot:WatchdogAction: '{o.WatchdogAction}' is not one of: exit, log.");
        }

        Positive(errors, "SampleBot:WorkerIterationTimeout", o.WorkerIterationTimeout);
        Range(errors, "SampleBot:OrderMaxAttempts", o.OrderMaxAttempts, 1, 20, "attempts");
        Positive(errors, "SampleBot:OrderRetryDelay", o.OrderRetryDelay);
        Positive(errors, "SampleBot:OrderLease", o.OrderLease);
        Range(errors, "SampleBot:OrderWorkers", o.OrderWorkers, 1, 256, "workers");
        Range(errors, "SampleBot:LabelFailureRate", o.LabelFailureRate, 0, 1, "probability");
        Range(errors, "SampleBot:FactsConcurrency", o.FactsConcurrency, 1, 256, "calls");
        Range(errors, "SampleBot:FactsQueueLimit", o.FactsQueueLimit, 0, 100_000, "queued calls");
        Positive(errors, "SampleBot:FactsTimeout", o.FactsTimeout);
        Positive(errors, "SampleBot:FactsCacheTtl", o.FactsCacheTtl);
        Range(errors, "SampleBot:MaxLiveLocationSessions", o.MaxLiveLocationSessions, 1, 100_000, "sessions");
        Range(errors, "SampleBot:MaxConcurrentLocationUpdates", o.MaxConcurrentLocationUpdates, 1, 1_000, "updates");
        Range(errors, "SampleBot:MTProtoFloodRate", o.MTProtoFloodRate, 0, 1, "probability");
        if (o.Console is not ("auto" or "live" or "plain" or "none"))
        {
            errors.Add($"SampleBot:Console (--console): '{o.Console}' is not one of: auto, live, plain, none.");
        }

        if (!string.IsNullOrWhiteSpace(o.PostgresConnectionString))
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(o.PostgresConnectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"SampleBot:PostgresConnectionString (--postgres): not a valid PostgreSQL (Npgsql) connection string: {ex.Message}");
            }
        }

        return errors;
    }

    private static void Range(List<string> errors, string name, double value, double min, double max, string unit)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            errors.Add($"{name}: {value} is outside the allowed range {min}..{max} ({unit}).");
        }
    }

    private static void Positive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name}: {value} must be greater than zero (format hh:mm:ss).");
        }
    }
}
