using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace BotResilience.Telegram.Testing.Tests;

/// <summary>The real Telegram.Bot (v22) client against the emulator, over loopback HTTP and in memory.</summary>
public sealed class TelegramBotClientInteropTests
{
    public static TheoryData<string> Transports => new() { "http", "memory" };

    private static async Task<(BotApiEmulator Emulator, TelegramBotClient Bot, HttpClient Http)> CreateAsync(string transport, BotApiEmulatorOptions? options = null)
    {
        var emulator = new BotApiEmulator(options);
        HttpClient http;
        string baseUrl;
        if (transport == "http")
        {
            await emulator.StartAsync();
            http = new HttpClient();
            baseUrl = emulator.BaseAddress.ToString();
        }
        else
        {
            http = new HttpClient(emulator.CreateHandler());
            baseUrl = BotApiEmulator.InMemoryBaseAddress.ToString();
        }

        // RetryThreshold = 0: let 429s surface instead of Telegram.Bot sleeping on them.
        var bot = new TelegramBotClient(new TelegramBotClientOptions(BotApiEmulator.TestToken, baseUrl) { RetryThreshold = 0 }, http);
        return (emulator, bot, http);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Telegram_Bot_sends_edits_uploads_and_polls(string transport)
    {
        var (emulator, bot, http) = await CreateAsync(transport);
        await using var _ = emulator;
        using var __ = http;

        var me = await bot.GetMe();
        Assert.True(me.IsBot);
        Assert.Equal("emulated_bot", me.Username);

        var keyboard = new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Yes", "yes"));
        var sent = await bot.SendMessage(42, "Hello", replyMarkup: keyboard);
        Assert.Equal(1, sent.MessageId);
        Assert.Equal(ChatType.Private, sent.Chat.Type);
        Assert.Equal("Hello", sent.Text);
        Assert.Equal("yes", sent.ReplyMarkup!.InlineKeyboard.First().First().CallbackData);

        var edited = await bot.EditMessageText(42, sent.MessageId, "Hello again");
        Assert.Equal("Hello again", edited.Text);

        using var picture = new MemoryStream(new byte[321]);
        var photo = await bot.SendPhoto(42, InputFile.FromStream(picture, "pic.jpg"), caption: "a picture");
        Assert.Equal("a picture", photo.Caption);
        Assert.Equal(321, photo.Photo![0].FileSize);

        await bot.SendChatAction(42, ChatAction.Typing);
        await bot.DeleteMessage(42, photo.MessageId);

        emulator.SendUserMessage(42, "/start");
        emulator.PressButton(42, "yes");
        var updates = await bot.GetUpdates(timeout: 1);
        Assert.Equal(2, updates.Length);
        Assert.Equal("/start", updates[0].Message!.Text);
        Assert.Equal(MessageEntityType.BotCommand, updates[0].Message!.Entities![0].Type);
        Assert.Equal("yes", updates[1].CallbackQuery!.Data);
        await bot.AnswerCallbackQuery(updates[1].CallbackQuery!.Id, "done");
        var confirmed = await bot.GetUpdates(offset: updates[1].Id + 1);
        Assert.Empty(confirmed);
        Assert.Equal(0, emulator.PendingUpdateCount);

        Assert.Equal(["sendMessage", "sendPhoto"], emulator.SentMessages.Select(m => m.Method));
        Assert.Equal("pic.jpg", emulator.SentMessages[1].FileName);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Telegram_Bot_sees_429_with_retry_after_and_migrations(string transport)
    {
        // A manual clock: the burst must not be spread out by a slow first call.
        var (emulator, bot, http) = await CreateAsync(transport, new BotApiEmulatorOptions { TimeProvider = new BotResilience.Testing.ManualTimeProvider() });
        await using var _ = emulator;
        using var __ = http;

        for (var i = 0; i < 3; i++)
        {
            await bot.SendMessage(7, "burst");
        }

        var flood = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(7, "too many"));
        Assert.Equal(429, flood.ErrorCode);
        Assert.Equal(1, flood.Parameters!.RetryAfter);

        emulator.Faults.MigrateChat(-55, -1005500000000);
        var migrated = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(-55, "hi"));
        Assert.Equal(400, migrated.ErrorCode);
        Assert.Equal(-1005500000000, migrated.Parameters!.MigrateToChatId);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Telegram_Bot_gets_401_for_an_unknown_token(string transport)
    {
        var options = new BotApiEmulatorOptions();
        options.AcceptedTokens.Add(BotApiEmulator.TestToken);
        var (emulator, _, http) = await CreateAsync(transport, options);
        await using var _ = emulator;
        using var __ = http;
        var stranger = new TelegramBotClient(new TelegramBotClientOptions("42:someone-else", BaseUrl(emulator, transport)) { RetryThreshold = 0 }, http);
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => stranger.GetMe());
        Assert.Equal(401, error.ErrorCode);
    }

    private static string BaseUrl(BotApiEmulator emulator, string transport)
        => transport == "http" ? emulator.BaseAddress.ToString() : BotApiEmulator.InMemoryBaseAddress.ToString();
}
