using System.Net.Http.Headers;
using System.Text;
using BotResilience.Telegram.Redaction;
using BotResilience.Telegram.Tests.Support;
using BotResilience.Telegram.Wire;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Telegram.Tests.Wire;

public sealed class WireTests
{
    private const string Token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    [Theory]
    [InlineData("/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage", "123456789", "sendMessage")]
    [InlineData("/bot1:x/getMe", "1", "getMe")]
    [InlineData("/prefix/bot42:abc-DEF_1/test/sendPhoto", "42", "sendPhoto")]
    public void Recognises_bot_api_method_paths(string path, string botId, string method)
    {
        Assert.True(BotApiRequestParser.TryParsePath(path, out var id, out var m));
        Assert.Equal(botId, id);
        Assert.Equal(method, m);
    }

    [Theory]
    [InlineData("/file/bot123:abc/photos/file_1.jpg")]
    [InlineData("/bot123:abc")]
    [InlineData("/api/v1/sendMessage")]
    [InlineData("/botfather/sendMessage")]
    [InlineData("/bot123:abc/sendMessage/extra/segments")]
    public void Leaves_other_paths_alone(string path) => Assert.False(BotApiRequestParser.TryParsePath(path, out _, out _));

    [Theory]
    [InlineData("12345", BotApiChatKind.Private)]
    [InlineData("-100123456", BotApiChatKind.Group)]
    [InlineData("-42", BotApiChatKind.Group)]
    [InlineData("@mychannel", BotApiChatKind.Group)]
    [InlineData("@", BotApiChatKind.None)]
    [InlineData("", BotApiChatKind.None)]
    [InlineData(null, BotApiChatKind.None)]
    [InlineData("0", BotApiChatKind.None)]
    [InlineData("abc", BotApiChatKind.None)]
    public void Classifies_chat_ids(string? chatId, BotApiChatKind expected) => Assert.Equal(expected, BotApiRequestInfo.Classify(chatId));

    [Fact]
    public void Classification_follows_the_sign_of_numeric_ids() =>
        Prop.ForAll<long>(id => BotApiRequestInfo.Classify(id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            == (id > 0 ? BotApiChatKind.Private : id < 0 ? BotApiChatKind.Group : BotApiChatKind.None)).QuickCheckThrowOnFailure();

    [Theory]
    [InlineData("{\"chat_id\":-1001234567890,\"text\":\"hi\"}", "-1001234567890", false)]
    [InlineData("{\"text\":\"hi\",\"reply_parameters\":{\"chat_id\":5},\"chat_id\":\"@news\",\"allow_paid_broadcast\":true}", "@news", true)]
    [InlineData("{\"chat_id\":77,\"allow_paid_broadcast\":false}", "77", false)]
    [InlineData("{\"text\":\"no chat\"}", null, false)]
    [InlineData("not json", null, false)]
    public void Reads_json_bodies(string json, string? chat, bool paid)
    {
        var (c, p) = BotApiRequestParser.ParseJson(Encoding.UTF8.GetBytes(json));
        Assert.Equal(chat, c);
        Assert.Equal(paid, p);
    }

    [Fact]
    public void Reads_form_bodies()
    {
        var (c, p) = BotApiRequestParser.ParseForm("text=a%26b+c&chat_id=%40my_group&allow_paid_broadcast=True"u8);
        Assert.Equal("@my_group", c);
        Assert.True(p);
    }

    [Fact]
    public void Reads_multipart_bytes_text_parts_only()
    {
        var body = "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u0001\u0002chat_id\r\n--XyZ\r\nContent-Disposition: form-data; name=chat_id\r\n\r\n-100555\r\n--XyZ\r\nContent-Disposition: form-data; name=\"allow_paid_broadcast\"\r\n\r\ntrue\r\n--XyZ--\r\n";
        var type = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=\"XyZ\"");
        var (c, p) = BotApiRequestParser.ParseBody(Encoding.UTF8.GetBytes(body), type);
        Assert.Equal("-100555", c);
        Assert.True(p);
    }

    public static TheoryData<string> Bodies => new() { "json", "form", "multipart-bytes" };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Handler_sends_the_body_byte_for_byte_with_its_headers(string kind)
    {
        HttpContent content;
        byte[] expected;
        switch (kind)
        {
            case "json":
                expected = Encoding.UTF8.GetBytes("{\"chat_id\":42,\"text\":\"caf\u00e9 \\u00e9 \ud83d\ude00\"}");
                content = new ByteArrayContent(expected);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
                break;
            case "form":
                expected = Encoding.ASCII.GetBytes("chat_id=42&text=caf%C3%A9+%2B");
                content = new ByteArrayContent(expected);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
                break;
            default:
                expected = Encoding.UTF8.GetBytes("--b1\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n--b1\r\nContent-Disposition: form-data; name=\"document\"; filename=\"x.bin\"\r\n\r\n\u0000\u00ff\r\n--b1--\r\n");
                content = new ByteArrayContent(expected);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b1");
                break;
        }

        content.Headers.Add("X-Custom", "kept");
        var inner = new CapturingHandler();
        using var client = new HttpClient(new BotApiResilienceHandler(inner));
        using var response = await client.PostAsync(new Uri($"https://api.telegram.org/bot{Token}/sendMessage"), content);
        Assert.True(response.IsSuccessStatusCode);
        var sent = Assert.Single(inner.Sent);
        Assert.Equal(expected, sent.Body);
        Assert.Equal(content.Headers.ContentType!.ToString(), sent.ContentType);
    }

    [Fact]
    public async Task Handler_reads_chat_from_in_process_multipart_without_buffering_the_file()
    {
        var file = new NonBufferableContent(1 << 20);
        using var multipart = new MultipartFormDataContent("bnd")
        {
            { new StringContent("-100777"), "chat_id" },
            { file, "document", "big.bin" },
        };
        string? seenChat = null;
        var options = new BotApiResilienceOptions { OnFloodWait = e => seenChat = e.ChatId };
        var inner = new CapturingHandler((_, n) => n == 1
            ? CapturingHandler.Json(System.Net.HttpStatusCode.TooManyRequests, FakeBotApi.TooManyRequests(0))
            : CapturingHandler.Ok());
        using var client = new HttpClient(new BotApiResilienceHandler(inner, options));
        using var response = await client.PostAsync(new Uri($"https://api.telegram.org/bot{Token}/sendDocument"), multipart);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("-100777", seenChat);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(2, file.Serializations); // once per attempt, never an extra buffering copy
    }

    [Theory]
    [InlineData("/bot123456:ABCdef_-xyz/sendMessage", "/bot<redacted>/sendMessage")]
    [InlineData("https://api.telegram.org/bot123456:ABCdef/getMe?x=1", "https://api.telegram.org/bot<redacted>/getMe?x=1")]
    [InlineData("token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw leaked", "token <redacted> leaked")]
    [InlineData("no token here: 12:34", "no token here: 12:34")]
    [InlineData("", "")]
    public void Redacts_tokens(string input, string expected) => Assert.Equal(expected, BotTokenRedactor.Redact(input));

    [Fact]
    public void Redaction_removes_any_generated_token() =>
        Prop.ForAll(
            Gen.Choose(1, int.MaxValue).ToArbitrary(),
            Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".ToCharArray()), 35).ToArbitrary(),
            (id, secret) =>
            {
                var token = id + ":" + new string(secret);
                var text = $"GET https://api.telegram.org/bot{token}/sendMessage failed; raw {token}.";
                return !BotTokenRedactor.Redact(text).Contains(new string(secret), StringComparison.Ordinal);
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Reads_retry_after_and_migration_from_error_bodies()
    {
        Assert.Equal((TimeSpan.FromSeconds(35), (long?)null), BotApiResponseParser.Parse("{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 35\",\"parameters\":{\"retry_after\":35}}"u8));
        Assert.Equal(((TimeSpan?)null, (long?)-1009876543210), BotApiResponseParser.Parse("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: group chat was upgraded to a supergroup chat\",\"parameters\":{\"migrate_to_chat_id\":-1009876543210}}"u8));
        Assert.Equal(((TimeSpan?)null, (long?)null), BotApiResponseParser.Parse("<html>"u8));
    }

    private sealed class NonBufferableContent(int size) : HttpContent
    {
        public int Serializations { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            Serializations++;
            await stream.WriteAsync(new byte[size]);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = size;
            return true;
        }
    }
}
