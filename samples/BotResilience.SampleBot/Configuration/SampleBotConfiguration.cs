using Microsoft.Extensions.Configuration;

namespace BotResilience.SampleBot.Configuration;

/// <summary>Loads <see cref="SampleBotOptions"/> from appsettings.json, the environment and the command line.</summary>
public static class SampleBotConfiguration
{
    /// <summary>Short command-line switches.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--duration"] = "SampleBot:DurationSeconds",
        ["--users"] = "SampleBot:Users",
        ["--mode"] = "SampleBot:Mode",
        ["--token"] = "SampleBot:BotToken",
        ["--public-url"] = "SampleBot:PublicUrl",
        ["--listen"] = "SampleBot:ListenUrl",
        ["--db"] = "SampleBot:DatabasePath",
        ["--postgres"] = "SampleBot:PostgresConnectionString",
        ["--delay-scale"] = "SampleBot:DelayScale",
        ["--console"] = "SampleBot:Console",
        ["--admin"] = "SampleBot:AdminUserIds:0",
    };

    /// <summary>Builds the configuration: appsettings.json, appsettings.{env}.json, environment, command line.</summary>
    /// <param name="args">Command-line arguments.</param>
    public static IConfigurationRoot Build(string[] args)
    {
        string environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args, SwitchMappings.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase))
            .Build();
    }

    /// <summary>Binds and validates the options; throws <see cref="OptionsValidationFailedException"/> listing every problem.</summary>
    /// <param name="configuration">The configuration.</param>
    public static SampleBotOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new SampleBotOptions();
        IConfigurationSection section = configuration.GetSection(SampleBotOptions.SectionName);
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationFailedException([ex.InnerException?.Message ?? ex.Message]);
        }

        if (string.IsNullOrWhiteSpace(options.BotToken))
        {
            options.BotToken = configuration["BOT_TOKEN"];
        }

        Normalize(options);
        IReadOnlyList<string> errors = SampleBotOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationFailedException(errors);
        }

        return options;
    }

    /// <summary>Fills defaults that depend on other options (mode, duration, database path, admin).</summary>
    /// <param name="options">The options.</param>
    public static void Normalize(SampleBotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool hasToken = !string.IsNullOrWhiteSpace(options.BotToken);
        options.Mode ??= hasToken ? BotMode.Polling : BotMode.Demo;
        options.DurationSeconds ??= options.Mode == BotMode.Demo ? 60 : 0;
        if (string.IsNullOrWhiteSpace(options.DatabasePath) && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            options.DatabasePath = Path.Combine(Path.GetTempPath(), "botresilience-sample", options.Mode == BotMode.Demo ? "demo.db" : "bot.db");
        }
    }
}

/// <summary>Thrown at start when the options are invalid; the message lists every problem.</summary>
public sealed class OptionsValidationFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">The problems.</param>
    public OptionsValidationFailedException(IReadOnlyList<string> errors)
        : base("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
    {
        Errors = errors;
    }

    /// <summary>The problems, one per option.</summary>
    public IReadOnlyList<string> Errors { get; }
}
