Console.WriteLine("BotResilience sample bot: not built yet (see issue 7).");
return 1;
