using Microsoft.Extensions.Options;

namespace BotResilience.DependencyInjection;

/// <summary>
/// Validates named options of the components registered through <see cref="BotResilienceBuilder"/> by running the
/// component's own constructor checks, so start-up errors carry exactly the messages (option name and allowed
/// range) the constructors throw.
/// </summary>
internal sealed class ConstructionOptionsValidator<TOptions>(string registeredName, string component, Func<TOptions, IDisposable?> construct) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (!string.Equals(name, registeredName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            construct(options)?.Dispose();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException exception)
        {
            return ValidateOptionsResult.Fail($"{component} '{registeredName}': {exception.Message}");
        }
    }
}
