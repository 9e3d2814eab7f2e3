using BotResilience.SampleBot.Configuration;
using BotResilience.SampleBot.Features;
using BotResilience.Testing;

namespace BotResilience.SampleBot.Tests;

public sealed class OptionsAndFeatureTests
{
    private const string Token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static IReadOnlyList<string> Errors(params string[] args)
    {
        try
        {
            SampleBotConfiguration.Load(SampleBotConfiguration.Build(args));
            return [];
        }
        catch (OptionsValidationFailedException ex)
        {
            return ex.Errors;
        }
    }

    [Fact]
    public void No_token_and_no_configuration_means_demo_mode_with_defaults()
    {
        SampleBotOptions o = SampleBotConfiguration.Load(SampleBotConfiguration.Build(["--duration", "20", "--users", "300"]));
        Assert.Equal(BotMode.Demo, o.Mode);
        Assert.Equal(20, o.DurationSeconds);
        Assert.Equal(300, o.Users);
        Assert.StartsWith(Path.GetTempPath(), o.DatabasePath, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_mode_needs_a_public_https_url_and_real_modes_need_a_token()
    {
        Assert.Contains(Errors("--mode", "webhook", "--token", Token), e => e.Contains("PublicUrl", StringComparison.Ordinal));
        Assert.Contains(Errors("--mode", "webhook", "--token", Token, "--public-url", "http://bot.example.com"), e => e.Contains("https", StringComparison.Ordinal));
        Assert.Empty(Errors("--mode", "webhook", "--token", Token, "--public-url", "https://bot.example.com"));
        Assert.Contains(Errors("--mode", "polling"), e => e.StartsWith("BOT_TOKEN", StringComparison.Ordinal));
        Assert.Empty(Errors("--mode", "polling", "--token", Token));
        Assert.Contains(Errors("--token", "not-a-token"), e => e.StartsWith("BOT_TOKEN", StringComparison.Ordinal));
    }

    [Fact]
    public void Out_of_range_options_are_named_with_their_range()
    {
        IReadOnlyList<string> errors = Errors("--duration", "-1", "--users", "0", "--console", "fancy");
        Assert.Contains(errors, e => e.StartsWith("SampleBot:DurationSeconds (--duration)", StringComparison.Ordinal) && e.Contains("0..86400", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SampleBot:Users (--users)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SampleBot:Console", StringComparison.Ordinal));
        Assert.Contains(Errors("--postgres", "Nonsense Key=1"), e => e.StartsWith("SampleBot:PostgresConnectionString (--postgres)", StringComparison.Ordinal));
        Assert.Empty(Errors("--postgres", "Host=127.0.0.1;Username=postgres"));
    }

    [Fact]
    public void Spammer_is_answered_once_per_window_then_let_back_in()
    {
        var time = new ManualTimeProvider();
        using var spam = new AntiSpam(10, TimeSpan.FromSeconds(60), time);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(SpamVerdict.Allow, spam.Check(7, out _));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(SpamVerdict.Warn, spam.Check(7, out TimeSpan wait));
        Assert.Equal(TimeSpan.FromSeconds(50), wait); // the first of the 10 leaves the exact window at t = 60 s
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(SpamVerdict.Drop, spam.Check(7, out _));
        }

        Assert.Equal(SpamVerdict.Allow, spam.Check(8, out _)); // other users are not affected
        time.Advance(wait);
        Assert.Equal(SpamVerdict.Allow, spam.Check(7, out _));
    }
}
