using BenchmarkDotNet.Running;

if (args.Length >= 2 && args[0] == "--macro" && args[1] == "telegram")
{
    // Non-BenchmarkDotNet macro mode (an end-to-end broadcast against the emulator); the BDN path below is unchanged.
    await BotResilience.Benchmarks.Telegram.TelegramBroadcastMacro.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
