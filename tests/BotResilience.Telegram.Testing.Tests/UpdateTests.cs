using System.Text.Json;

namespace BotResilience.Telegram.Testing.Tests;

public sealed class UpdateTests
{
    public static TheoryData<string> Transports => new() { "http", "memory" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Long_poll_returns_an_update_injected_while_waiting(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var poll = h.PostJsonAsync("getUpdates", new { timeout = 20 });
        await Task.Delay(100);
        Assert.False(poll.IsCompleted);
        var id = h.Emulator.SendUserMessage(500, "/start hello");

        var result = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        var update = Assert.Single(result.Result.EnumerateArray());
        Assert.Equal(id, update.GetProperty("update_id").GetInt64());
        var message = update.GetProperty("message");
        Assert.Equal("/start hello", message.GetProperty("text").GetString());
        Assert.Equal(500, message.GetProperty("from").GetProperty("id").GetInt64());
        Assert.Equal(500, message.GetProperty("chat").GetProperty("id").GetInt64());
        Assert.Equal("private", message.GetProperty("chat").GetProperty("type").GetString());
        var entity = message.GetProperty("entities")[0];
        Assert.Equal("bot_command", entity.GetProperty("type").GetString());
        Assert.Equal(6, entity.GetProperty("length").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Offset_confirms_every_update_below_it(string transport)
    {
        await using var h = await EmulatorHarness.CreateAsync(transport);
        var first = h.Emulator.SendUserMessage(1, "one");
        var second = h.Emulator.SendUserMessage(2, "two");
        var third = h.Emulator.SendLocation(3, 51.5, -0.12, livePeriod: 600);

        var all = await h.PostJsonAsync("getUpdates", new { });
        Assert.Equal([first, second, third], all.Result.EnumerateArray().Select(u => u.GetProperty("update_id").GetInt64()));
        var again = await h.PostJsonAsync("getUpdates", new { }); // no offset: nothing confirmed
        Assert.Equal(3, again.Result.GetArrayLength());

        var limited = await h.PostJsonAsync("getUpdates", new { offset = second, limit = 1 });
        Assert.Equal(second, Assert.Single(limited.Result.EnumerateArray()).GetProperty("update_id").GetInt64());
        Assert.Equal(2, h.Emulator.PendingUpdateCount);

        var rest = await h.GetAsync($"getUpdates?offset={second + 1}");
        var location = Assert.Single(rest.Result.EnumerateArray()).GetProperty("message").GetProperty("location");
        Assert.Equal(51.5, location.GetProperty("latitude").GetDouble());
        Assert.Equal(600, location.GetProperty("live_period").GetInt32());

        var moved = h.Emulator.UpdateLiveLocation(3, 51.6, -0.1);
        var confirmed = await h.PostJsonAsync("getUpdates", new { offset = third + 1 });
        var edited = Assert.Single(confirmed.Result.EnumerateArray());
        Assert.Equal(moved, edited.GetProperty("update_id").GetInt64());
        Assert.Equal(51.6, edited.GetProperty("edited_message").GetProperty("location").GetProperty("latitude").GetDouble());

        await h.PostJsonAsync("getUpdates", new { offset = moved + 1 });
        Assert.Equal(0, h.Emulator.PendingUpdateCount);
        await h.Emulator.WaitForUpdatesConsumedAsync(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Negative_offset_keeps_only_the_last_updates()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory");
        for (var i = 0; i < 5; i++)
        {
            h.Emulator.SendUserMessage(1, $"m{i}");
        }

        var last = await h.PostJsonAsync("getUpdates", new { offset = -2 });
        Assert.Equal(["m3", "m4"], last.Result.EnumerateArray().Select(u => u.GetProperty("message").GetProperty("text").GetString()));
        Assert.Equal(2, h.Emulator.PendingUpdateCount);
    }

    [Fact]
    public async Task EnqueueUpdate_sets_the_update_id_of_raw_json()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory");
        var id = h.Emulator.EnqueueUpdate("""{"update_id":999,"my_chat_member":{"chat":{"id":1,"type":"private"}}}""");
        var result = await h.PostJsonAsync("getUpdates", new { });
        var update = Assert.Single(result.Result.EnumerateArray());
        Assert.Equal(id, update.GetProperty("update_id").GetInt64());
        Assert.Equal(JsonValueKind.Object, update.GetProperty("my_chat_member").ValueKind);
        Assert.Throws<ArgumentException>(() => h.Emulator.EnqueueUpdate("[1,2]"));
        Assert.Throws<ArgumentException>(() => h.Emulator.EnqueueUpdate("{not json"));
    }

    [Fact]
    public async Task A_second_long_poll_terminates_the_first_with_409()
    {
        await using var h = await EmulatorHarness.CreateAsync("http");
        var first = h.PostJsonAsync("getUpdates", new { timeout = 20 });
        await Task.Delay(100);
        var second = h.PostJsonAsync("getUpdates", new { timeout = 20 });
        var terminated = await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(409, terminated.Status);
        Assert.Equal("Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", terminated.Description);
        h.Emulator.SendUserMessage(1, "hi");
        Assert.Equal(1, (await second.WaitAsync(TimeSpan.FromSeconds(10))).Result.GetArrayLength());
    }

    [Fact]
    public async Task Long_poll_timeout_answers_an_empty_array()
    {
        var time = new BotResilience.Testing.ManualTimeProvider();
        await using var h = await EmulatorHarness.CreateAsync("memory", new BotApiEmulatorOptions { TimeProvider = time });
        var poll = h.PostJsonAsync("getUpdates", new { timeout = 30 });
        await Task.Delay(50);
        Assert.False(poll.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        var result = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.Ok);
        Assert.Equal(0, result.Result.GetArrayLength());
    }

    [Fact]
    public async Task PressButton_refers_to_the_bots_last_message()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory");
        await h.SendMessageAsync(8, "first");
        await h.SendMessageAsync(8, "second");
        h.Emulator.PressButton(8, "pick");
        h.Emulator.PressButton(8, "pick-first", messageId: 1);
        var updates = (await h.PostJsonAsync("getUpdates", new { })).Result;
        Assert.Equal("second", updates[0].GetProperty("callback_query").GetProperty("message").GetProperty("text").GetString());
        Assert.Equal("first", updates[1].GetProperty("callback_query").GetProperty("message").GetProperty("text").GetString());
        Assert.NotEqual(updates[0].GetProperty("callback_query").GetProperty("id").GetString(), updates[1].GetProperty("callback_query").GetProperty("id").GetString());
    }

    [Fact]
    public async Task WaitForMessagesAsync_completes_when_messages_arrive_and_times_out_otherwise()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory");
        var wait = h.Emulator.WaitForMessagesAsync(chatId: 3, count: 2, TimeSpan.FromSeconds(10));
        await h.SendMessageAsync(3, "a");
        Assert.False(wait.IsCompleted);
        await h.SendMessageAsync(3, "b");
        Assert.Equal(2, (await wait).Count);
        var matched = await h.Emulator.WaitForMessageAsync(m => m.Text == "b", TimeSpan.FromSeconds(1));
        Assert.Equal(2, matched.MessageId);
        await Assert.ThrowsAsync<TimeoutException>(() => h.Emulator.WaitForMessagesAsync(3, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task MessageAccepted_is_raised_for_each_accepted_message()
    {
        await using var h = await EmulatorHarness.CreateAsync("memory");
        var seen = new List<SentMessage>();
        h.Emulator.MessageAccepted += (_, m) => seen.Add(m);
        await h.SendMessageAsync(1, "x");
        await h.PostJsonAsync("sendMessage", new { chat_id = 1 });
        Assert.Equal("x", Assert.Single(seen).Text);
    }
}
