namespace BotResilience.Retry;

/// <summary>Validates and snapshots <see cref="RetryOptions"/>.</summary>
internal static class RetryOptionsValidation
{
    public static string? Validate(RetryOptions options)
    {
        if (options.MaxRetryAttempts < 0)
        {
            return $"{nameof(RetryOptions.MaxRetryAttempts)} must be between 0 and {int.MaxValue}; it was {options.MaxRetryAttempts}.";
        }

        if (!Enum.IsDefined(options.BackoffType))
        {
            return $"{nameof(RetryOptions.BackoffType)} must be Constant, Linear or Exponential; it was {(int)options.BackoffType}.";
        }

        if (options.MaxDelay <= TimeSpan.Zero)
        {
            return $"{nameof(RetryOptions.MaxDelay)} must be greater than zero; it was {options.MaxDelay}.";
        }

        if (options.Delay < TimeSpan.Zero || options.Delay > options.MaxDelay)
        {
            return $"{nameof(RetryOptions.Delay)} must be between 00:00:00 and {nameof(RetryOptions.MaxDelay)} ({options.MaxDelay}); it was {options.Delay}.";
        }

        if (options.FloodWaitThreshold < TimeSpan.Zero)
        {
            return $"{nameof(RetryOptions.FloodWaitThreshold)} must be zero or greater; it was {options.FloodWaitThreshold}.";
        }

        foreach (var classifier in options.FloodWaitClassifiers)
        {
            if (classifier is null)
            {
                return $"{nameof(RetryOptions.FloodWaitClassifiers)} must not contain null entries.";
            }
        }

        if (options.FloodGateScope is { Length: 0 })
        {
            return $"{nameof(RetryOptions.FloodGateScope)} must be null or a non-empty scope.";
        }

        return null;
    }

    public static void ThrowIfInvalid(RetryOptions options)
    {
        if (Validate(options) is { } message)
        {
            throw new ArgumentOutOfRangeException(nameof(options), message);
        }
    }

    public static RetryOptions Copy(RetryOptions options)
    {
        var copy = new RetryOptions
        {
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = options.BackoffType,
            Delay = options.Delay,
            MaxDelay = options.MaxDelay,
            UseJitter = options.UseJitter,
            FloodWaitThreshold = options.FloodWaitThreshold,
            ShouldRetry = options.ShouldRetry,
            FloodGate = options.FloodGate,
            FloodGateScope = options.FloodGateScope,
            OnRetry = options.OnRetry,
            TimeProvider = options.TimeProvider,
            RandomSource = options.RandomSource,
        };
        foreach (var classifier in options.FloodWaitClassifiers)
        {
            copy.FloodWaitClassifiers.Add(classifier);
        }

        return copy;
    }
}
