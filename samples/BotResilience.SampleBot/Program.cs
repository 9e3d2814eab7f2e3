return await BotResilience.SampleBot.SampleBotProgram.RunAsync(args);
