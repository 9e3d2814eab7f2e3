using System.Net.Http.Headers;
using System.Text;

namespace BotResilience.Telegram.Testing.Tests;

public sealed class MethodTests
{
    public static TheoryData<string> Transports => new() { "http", "memory" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task GetMe_returns_the_bot_user(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var result = await h.PostJsonAsync("getMe", new { });
        Assert.Equal(200, result.Status);
        Assert.True(result.Ok);
        Assert.Equal(123456789, result.Result.GetProperty("id").GetInt64());
        Assert.True(result.Result.GetProperty("is_bot").GetBoolean());
        Assert.Equal("Emulated Bot", result.Result.GetProperty("first_name").GetString());
        Assert.Equal("emulated_bot", result.Result.GetProperty("username").GetString());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task SendMessage_accepts_json_form_and_query_and_records_the_message(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var json = await h.PostJsonAsync("sendMessage", new { chat_id = 42, text = "json" });
        var form = await h.PostFormAsync("SENDMESSAGE", [new("chat_id", "43"), new("text", "form")]);
        var query = await h.GetAsync("sendmessage?chat_id=44&text=query");

        foreach (var (result, chat, text) in new[] { (json, 42L, "json"), (form, 43L, "form"), (query, 44L, "query") })
        {
            Assert.Equal(200, result.Status);
            Assert.True(result.Ok);
            Assert.Equal(1, result.Result.GetProperty("message_id").GetInt64());
            Assert.Equal(chat, result.Result.GetProperty("chat").GetProperty("id").GetInt64());
            Assert.Equal("private", result.Result.GetProperty("chat").GetProperty("type").GetString());
            Assert.Equal(text, result.Result.GetProperty("text").GetString());
            Assert.True(result.Result.GetProperty("date").GetInt64() > 1_600_000_000);
        }

        var sent = h.Emulator.SentMessages;
        Assert.Equal(["json", "form", "query"], sent.Select(m => m.Text));
        Assert.All(sent, m => Assert.Equal("sendMessage", m.Method));
        Assert.Equal([42L, 43L, 44L], sent.Select(m => m.ChatId));
        Assert.Equal(3, h.Emulator.Statistics.AcceptedMessageCount);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Chat_types_follow_the_id(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var group = await h.SendMessageAsync(-4242, "g");
        var supergroup = await h.SendMessageAsync(-1001234567890, "s");
        var channel = await h.PostJsonAsync("sendMessage", new { chat_id = "@news", text = "c" });
        var channelAgain = await h.PostJsonAsync("sendMessage", new { chat_id = "@NEWS", text = "c2" });

        Assert.Equal("group", group.Result.GetProperty("chat").GetProperty("type").GetString());
        Assert.Equal("supergroup", supergroup.Result.GetProperty("chat").GetProperty("type").GetString());
        Assert.Equal("channel", channel.Result.GetProperty("chat").GetProperty("type").GetString());
        var channelId = channel.Result.GetProperty("chat").GetProperty("id").GetInt64();
        Assert.True(channelId < -1_000_000_000_000);
        Assert.Equal(channelId, channelAgain.Result.GetProperty("chat").GetProperty("id").GetInt64());
        Assert.Equal(2, channelAgain.Result.GetProperty("message_id").GetInt64());
        Assert.Equal("news", h.Emulator.SentMessages[2].ChatUsername);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task SendPhoto_and_sendDocument_accept_multipart_files_and_file_ids(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        using var photo = new MultipartFormDataContent
        {
            { new StringContent("7"), "chat_id" },
            { new StringContent("a caption"), "caption" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("not really a png"));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        photo.Add(file, "photo", "cat.png");
        var photoResult = await h.PostAsync("sendPhoto", photo);

        using var attached = new MultipartFormDataContent
        {
            { new StringContent("7"), "chat_id" },
            { new StringContent("attach://report"), "document" },
        };
        var report = new ByteArrayContent(new byte[1234]);
        report.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        attached.Add(report, "report", "report.pdf");
        var documentResult = await h.PostAsync("sendDocument", attached);

        var byId = await h.PostJsonAsync("sendDocument", new { chat_id = 7, document = "BQACAgIAAxkBAAIB" });
        var none = await h.PostJsonAsync("sendPhoto", new { chat_id = 7 });

        Assert.True(photoResult.Ok, photoResult.Body);
        Assert.Equal("a caption", photoResult.Result.GetProperty("caption").GetString());
        Assert.Equal(16, photoResult.Result.GetProperty("photo")[0].GetProperty("file_size").GetInt64());
        Assert.True(documentResult.Ok, documentResult.Body);
        Assert.Equal("report.pdf", documentResult.Result.GetProperty("document").GetProperty("file_name").GetString());
        Assert.Equal(1234, documentResult.Result.GetProperty("document").GetProperty("file_size").GetInt64());
        Assert.Equal("application/pdf", documentResult.Result.GetProperty("document").GetProperty("mime_type").GetString());
        Assert.True(byId.Ok);
        Assert.Equal(400, none.Status);
        Assert.Equal("Bad Request: there is no photo in the request", none.Description);
        Assert.Equal(["sendPhoto", "sendDocument", "sendDocument"], h.Emulator.SentMessages.Select(m => m.Method));
        Assert.Equal(["cat.png", "report.pdf", "BQACAgIAAxkBAAIB"], h.Emulator.SentMessages.Select(m => m.FileName));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task EditMessageText_deleteMessage_and_sendChatAction(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var sent = await h.SendMessageAsync(5, "v1");
        var id = sent.Result.GetProperty("message_id").GetInt64();

        var edited = await h.PostJsonAsync("editMessageText", new { chat_id = 5, message_id = id, text = "v2" });
        var notModified = await h.PostJsonAsync("editMessageText", new { chat_id = 5, message_id = id, text = "v2" });
        var missing = await h.PostJsonAsync("editMessageText", new { chat_id = 5, message_id = 99, text = "x" });
        var action = await h.PostFormAsync("sendChatAction", [new("chat_id", "5"), new("action", "typing")]);
        var badAction = await h.PostFormAsync("sendChatAction", [new("chat_id", "5"), new("action", "dancing")]);
        var deleted = await h.PostJsonAsync("deleteMessage", new { chat_id = 5, message_id = id });
        var deletedAgain = await h.PostJsonAsync("deleteMessage", new { chat_id = 5, message_id = id });

        Assert.True(edited.Ok, edited.Body);
        Assert.Equal("v2", edited.Result.GetProperty("text").GetString());
        Assert.True(edited.Result.TryGetProperty("edit_date", out _));
        Assert.Equal(400, notModified.Status);
        Assert.StartsWith("Bad Request: message is not modified", notModified.Description, StringComparison.Ordinal);
        Assert.Equal("Bad Request: message to edit not found", missing.Description);
        Assert.True(action.Result.GetBoolean());
        Assert.Equal(400, badAction.Status);
        Assert.True(deleted.Result.GetBoolean());
        Assert.Equal("Bad Request: message to delete not found", deletedAgain.Description);
        Assert.Single(h.Emulator.SentMessages);
        Assert.Equal("v2", Assert.Single(h.Emulator.EditedMessages).Text);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AnswerCallbackQuery_accepts_a_pressed_button_once(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var markup = """{"inline_keyboard":[[{"text":"Buy","callback_data":"buy:1"}]]}""";
        var sent = await h.PostJsonAsync("sendMessage", new { chat_id = 9, text = "menu", reply_markup = new { inline_keyboard = new[] { new[] { new { text = "Buy", callback_data = "buy:1" } } } } });
        Assert.Equal(markup, sent.Result.GetProperty("reply_markup").GetRawText());
        h.Emulator.PressButton(9, "buy:1");

        var updates = await h.PostJsonAsync("getUpdates", new { });
        var query = updates.Result[0].GetProperty("callback_query");
        Assert.Equal("buy:1", query.GetProperty("data").GetString());
        Assert.Equal(1, query.GetProperty("message").GetProperty("message_id").GetInt64());
        Assert.Equal(9, query.GetProperty("from").GetProperty("id").GetInt64());
        var id = query.GetProperty("id").GetString();

        var answer = await h.PostJsonAsync("answerCallbackQuery", new { callback_query_id = id, text = "ok" });
        var again = await h.PostJsonAsync("answerCallbackQuery", new { callback_query_id = id });
        var unknown = await h.PostJsonAsync("answerCallbackQuery", new { callback_query_id = "nope" });
        Assert.True(answer.Result.GetBoolean());
        Assert.Equal(400, again.Status);
        Assert.Equal("Bad Request: query is too old and response timeout expired or query ID is invalid", unknown.Description);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Errors_match_telegram(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var unknown = await h.PostJsonAsync("sendSticker", new { chat_id = 1 });
        var noChat = await h.PostJsonAsync("sendMessage", new { text = "hi" });
        var noText = await h.PostJsonAsync("sendMessage", new { chat_id = 1 });
        var badChat = await h.PostJsonAsync("sendMessage", new { chat_id = "abc", text = "hi" });
        var tooLong = await h.SendMessageAsync(1, new string('x', 4097));

        Assert.Equal(404, unknown.Status);
        Assert.Equal("""{"ok":false,"error_code":404,"description":"Not Found"}""", unknown.Body);
        Assert.Equal(400, noChat.Status);
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""", noChat.Body);
        Assert.Equal("Bad Request: message text is empty", noText.Description);
        Assert.Equal("Bad Request: chat not found", badChat.Description);
        Assert.Equal("Bad Request: message is too long", tooLong.Description);
        Assert.Empty(h.Emulator.SentMessages);
        Assert.Equal(5, h.Emulator.Statistics.ClientErrorCount);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Unknown_or_malformed_tokens_get_401(string transport)
    {
        var options = new BotApiEmulatorOptions();
        options.AcceptedTokens.Add("111:good");
        await using var h = await EmulatorHarness.CreateAsync(transport, options);
        var good = await h.PostJsonAsync("getMe", new { }, token: "111:good");
        var other = await h.PostJsonAsync("getMe", new { }, token: "222:bad");

        await using var open = await EmulatorHarness.CreateAsync(transport);
        var wellFormed = await open.PostJsonAsync("getMe", new { }, token: "987:any-Token_1");
        var malformed = await open.PostJsonAsync("getMe", new { }, token: "no-colon");

        Assert.True(good.Ok);
        Assert.Equal(111, good.Result.GetProperty("id").GetInt64());
        Assert.Equal(401, other.Status);
        Assert.Equal("""{"ok":false,"error_code":401,"description":"Unauthorized"}""", other.Body);
        Assert.True(wellFormed.Ok);
        Assert.Equal(401, malformed.Status);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiEmulator(new BotApiEmulatorOptions { PerChatPerSecond = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiEmulator(new BotApiEmulatorOptions { TimeScale = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiEmulator(new BotApiEmulatorOptions { LimitScale = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiEmulator(new BotApiEmulatorOptions { LimitScale = 0.01 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiEmulator(new BotApiEmulatorOptions { PaidBroadcastPerSecond = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiEmulator(new BotApiEmulatorOptions { WebhookTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BotApiEmulator(new BotApiEmulatorOptions { Port = 70000 }));
        var options = new BotApiEmulatorOptions();
        options.AcceptedTokens.Add("not a token");
        Assert.Throws<ArgumentException>(() => new BotApiEmulator(options));
    }

    [Fact]
    public async Task BaseAddress_is_loopback_with_a_port_and_unavailable_before_start()
    {
        await using var emulator = new BotApiEmulator();
        Assert.Throws<InvalidOperationException>(() => emulator.BaseAddress);
        await emulator.StartAsync();
        Assert.Equal("127.0.0.1", emulator.BaseAddress.Host);
        Assert.NotEqual(0, emulator.BaseAddress.Port);
        Assert.EndsWith("/", emulator.BaseAddress.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_record_every_request_unless_disabled()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory");
        await h.SendMessageAsync(1, "a");
        await h.PostJsonAsync("nope", new { });
        Assert.Equal([("sendMessage", 200), ("nope", 404)], h.Emulator.Calls.Select(c => (c.Method, c.StatusCode)));
        Assert.Equal("a", h.Emulator.Calls[0].Parameters["text"]);
        h.Emulator.ClearRecords();
        Assert.Empty(h.Emulator.Calls);
        Assert.Empty(h.Emulator.SentMessages);
        Assert.Equal(2, h.Emulator.Statistics.RequestCount);

        await using var quiet = await EmulatorHarness.CreateAsync("memory", new BotApiEmulatorOptions { RecordCalls = false });
        await quiet.SendMessageAsync(1, "a");
        Assert.Empty(quiet.Emulator.Calls);
        Assert.Single(quiet.Emulator.SentMessages);
    }

    [Fact]
    public async Task Disposing_ends_a_running_long_poll()
    {
        var emulator = new BotApiEmulator();
        await emulator.StartAsync();
        using var client = new HttpClient();
        var poll = client.PostAsync($"{emulator.BaseAddress}bot{BotApiEmulator.TestToken}/getUpdates?timeout=50", null);
        await Task.Delay(100);
        await emulator.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await poll.WaitAsync(TimeSpan.FromSeconds(10));
            response.EnsureSuccessStatusCode();
        });
    }
}
