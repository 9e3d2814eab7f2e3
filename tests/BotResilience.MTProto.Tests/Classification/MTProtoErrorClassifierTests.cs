using BotResilience.MTProto.Classification;
using BotResilience.Retry;
using FsCheck;
using FsCheck.Fluent;
using Telethon.Errors;
using TL;
using WTelegram;

namespace BotResilience.MTProto.Tests.Classification;

public sealed class MTProtoErrorClassifierTests
{
    [Theory]
    [InlineData("FLOOD_WAIT_X", 7)]
    [InlineData("FLOOD_PREMIUM_WAIT_X", 3)]
    [InlineData("SLOWMODE_WAIT_X", 30)]
    [InlineData("FLOOD_TEST_PHONE_WAIT_X", 90)]
    [InlineData("TAKEOUT_INIT_DELAY_X", 3600)]
    [InlineData("SEND_CODE_DELAY_X", 12)]
    [InlineData("2FA_CONFIRM_WAIT_X", 604800)]
    public void Rpc_420_wait_names_are_flood_waits_with_X_seconds(string name, int x)
    {
        var error = MTProtoErrorClassifier.Classify(new RpcException(420, name, x));

        Assert.Equal(MTProtoErrorKind.FloodWait, error.Kind);
        Assert.Equal(x, error.Seconds);
        Assert.Equal(TimeSpan.FromSeconds(x), error.RetryAfter);
        Assert.Equal(name, error.Name);
        Assert.Equal(420, error.Code);
        Assert.True(error.IsFloodWait);
    }

    [Theory]
    [InlineData("FLOOD_WAIT_17", 17, "FLOOD_WAIT_X")]
    [InlineData("SLOWMODE_WAIT_5", 5, "SLOWMODE_WAIT_X")]
    [InlineData("RPC error 420: FLOOD_PREMIUM_WAIT_9 (caused by upload.getFile)", 9, "FLOOD_PREMIUM_WAIT_X")]
    public void Digits_in_the_message_give_the_seconds(string message, int seconds, string name)
    {
        var plain = MTProtoErrorClassifier.Classify(new WTException(message));
        var rpc = MTProtoErrorClassifier.Classify(new RpcException(420, message, -1));

        Assert.Equal((MTProtoErrorKind.FloodWait, seconds, name), (plain.Kind, plain.Seconds, plain.Name));
        Assert.Equal((MTProtoErrorKind.FloodWait, seconds, name), (rpc.Kind, rpc.Seconds, rpc.Name));
    }

    [Fact]
    public void Code_420_with_an_unfamiliar_name_and_positive_X_is_still_a_wait()
    {
        var error = MTProtoErrorClassifier.Classify(new RpcException(420, "SOMETHING_NEW", 11));
        Assert.Equal((MTProtoErrorKind.FloodWait, 11, "SOMETHING_NEW"), (error.Kind, error.Seconds, error.Name));
    }

    [Fact]
    public void Telethon_style_errors_are_flood_waits()
    {
        var flood = MTProtoErrorClassifier.Classify(new FloodWaitError(17));
        var slow = MTProtoErrorClassifier.Classify(new SlowModeWaitError(30));
        var textOnly = MTProtoErrorClassifier.Classify(new InvalidOperationException("A wait of 42 seconds is required (caused by GetFullChannelRequest)"));

        Assert.Equal((MTProtoErrorKind.FloodWait, 17, "FLOOD_WAIT_X"), (flood.Kind, flood.Seconds, flood.Name));
        Assert.Equal((MTProtoErrorKind.FloodWait, 30, "SLOWMODE_WAIT_X"), (slow.Kind, slow.Seconds, slow.Name));
        Assert.Equal((MTProtoErrorKind.FloodWait, 42), (textOnly.Kind, textOnly.Seconds));
    }

    [Fact]
    public void Peer_flood_is_recognised_and_has_no_seconds()
    {
        var rpc = MTProtoErrorClassifier.Classify(new RpcException(400, "PEER_FLOOD"));
        var telethon = MTProtoErrorClassifier.Classify(new PeerFloodError());

        Assert.Equal((MTProtoErrorKind.PeerFlood, 0, "PEER_FLOOD", 400), (rpc.Kind, rpc.Seconds, rpc.Name, rpc.Code));
        Assert.Equal(MTProtoErrorKind.PeerFlood, telethon.Kind);
    }

    [Theory]
    [InlineData("Transport error 429")]
    [InlineData("Transport flood")]
    [InlineData("Server sent -429")]
    [InlineData("Invalid response buffer (HTTP code 429)")]
    public void Transport_429_is_a_transport_flood(string message)
    {
        var error = MTProtoErrorClassifier.Classify(new WTException(message));
        Assert.Equal(MTProtoErrorKind.TransportFlood, error.Kind);
        Assert.Equal(429, error.Code);
    }

    [Fact]
    public void Transport_flood_from_code_http_status_and_telethon_buffer_error()
    {
        Assert.Equal(MTProtoErrorKind.TransportFlood, MTProtoErrorClassifier.Classify(new RpcException(429, "whatever")).Kind);
        Assert.Equal(MTProtoErrorKind.TransportFlood, MTProtoErrorClassifier.Classify(new RpcException(-429, "whatever")).Kind);
        Assert.Equal(MTProtoErrorKind.TransportFlood, MTProtoErrorClassifier.Classify(new InvalidBufferError(429)).Kind);
        Assert.Equal(
            MTProtoErrorKind.TransportFlood,
            MTProtoErrorClassifier.Classify(new HttpRequestException("x", null, System.Net.HttpStatusCode.TooManyRequests)).Kind);
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(new InvalidBufferError(404)).Kind);
    }

    [Fact]
    public void Numbers_that_merely_contain_429_are_not_transport_floods()
    {
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(new WTException("user 14290 not found")).Kind);
        Assert.Equal(MTProtoErrorKind.Other, MTProtoErrorClassifier.Classify(new RpcException(400, "CHANNEL_INVALID 429")).Kind);
    }

    [Fact]
    public void Other_rpc_errors_keep_code_and_normalised_name()
    {
        var error = MTProtoErrorClassifier.Classify(new RpcException(400, "CHANNEL_INVALID"));
        var migrate = MTProtoErrorClassifier.Classify(new RpcException(303, "NETWORK_MIGRATE_4", 4));

        Assert.Equal((MTProtoErrorKind.Other, 0, "CHANNEL_INVALID", 400), (error.Kind, error.Seconds, error.Name, error.Code));
        Assert.Equal((MTProtoErrorKind.Other, "NETWORK_MIGRATE_X", 303), (migrate.Kind, migrate.Name, migrate.Code));
    }

    [Fact]
    public void Unfamiliar_exceptions_and_null_are_not_mtproto()
    {
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(null).Kind);
        Assert.Null(MTProtoErrorClassifier.Classify(null).Exception);
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(new IOException("reset")).Kind);
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(new OperationCanceledException("FLOOD_WAIT_3")).Kind);
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(new ThrowingMembersException()).Kind);
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(new WeirdShapeException()).Kind);
    }

    [Fact]
    public void Inner_and_aggregate_exceptions_are_searched()
    {
        var inner = new RpcException(420, "FLOOD_WAIT_X", 7);
        var wrapped = new InvalidOperationException("outer", new WTException("middle", inner));
        var aggregate = new AggregateException(new IOException("a"), new AggregateException(new RpcException(400, "PEER_FLOOD")));

        var fromWrapped = MTProtoErrorClassifier.Classify(wrapped);
        Assert.Equal((MTProtoErrorKind.FloodWait, 7), (fromWrapped.Kind, fromWrapped.Seconds));
        Assert.Same(inner, fromWrapped.Exception);
        Assert.Equal(MTProtoErrorKind.PeerFlood, MTProtoErrorClassifier.Classify(aggregate).Kind);
    }

    [Fact]
    public void Self_referencing_and_deep_chains_terminate()
    {
        Exception deep = new RpcException(420, "FLOOD_WAIT_X", 1);
        for (var i = 0; i < 100; i++)
        {
            deep = new InvalidOperationException("level " + i, deep);
        }

        // Beyond the inspection bound the flood wait is not found, but classification terminates and does not throw.
        Assert.Equal(MTProtoErrorKind.NotMTProto, MTProtoErrorClassifier.Classify(deep).Kind);
    }

    [Fact]
    public void Member_access_is_built_once_per_exception_type()
    {
        var cache = new ExceptionShapeCache();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i, MTProtoErrorClassifier.Classify(new RpcException(420, "FLOOD_WAIT_X", i), cache).Seconds);
            MTProtoErrorClassifier.Classify(new FloodWaitError(i), cache);
            MTProtoErrorClassifier.Classify(new InvalidOperationException("x"), cache);
        }

        Assert.Equal(3, cache.CreatedCount);
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void Property_any_rpc_420_wait_round_trips_its_seconds()
    {
        Prop.ForAll(
            Gen.Elements("FLOOD_WAIT", "FLOOD_PREMIUM_WAIT", "SLOWMODE_WAIT", "FLOOD_TEST_PHONE_WAIT", "TAKEOUT_INIT_DELAY").ToArbitrary(),
            Gen.Choose(0, 1_000_000).ToArbitrary(),
            Gen.Elements(true, false).ToArbitrary(),
            (name, seconds, digitsInMessage) =>
            {
                var exception = digitsInMessage
                    ? new RpcException(420, $"{name}_{seconds}", -1)
                    : new RpcException(420, name + "_X", seconds);
                var error = MTProtoErrorClassifier.Classify(exception);
                var gotFloodWait = MTProtoFloodWaitClassifier.Instance.TryClassify(exception, out var floodWait);
                return error.Kind == MTProtoErrorKind.FloodWait && error.Seconds == seconds && error.Name == name + "_X"
                    && gotFloodWait && floodWait.RetryAfter == TimeSpan.FromSeconds(seconds) && floodWait.Scope is null;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Property_classification_never_throws_on_arbitrary_messages()
    {
        Prop.ForAll<string?, int>((message, code) =>
        {
            var error = MTProtoErrorClassifier.Classify(new RpcException(code, message ?? string.Empty, code));
            var plain = MTProtoErrorClassifier.Classify(new InvalidOperationException(message));
            return Enum.IsDefined(error.Kind) && Enum.IsDefined(plain.Kind) && error.Kind != MTProtoErrorKind.NotMTProto;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Flood_wait_classifier_reports_only_server_given_waits_with_its_scope()
    {
        IFloodWaitClassifier classifier = new MTProtoFloodWaitClassifier("session:main");

        Assert.True(classifier.TryClassify(new RpcException(420, "FLOOD_WAIT_X", 7), out var wait));
        Assert.Equal(new FloodWait(TimeSpan.FromSeconds(7), "session:main"), wait);
        Assert.False(classifier.TryClassify(new RpcException(400, "PEER_FLOOD"), out _));
        Assert.False(classifier.TryClassify(new WTException("Transport flood 429"), out _));
        Assert.False(classifier.TryClassify(new IOException(), out _));
    }

    private sealed class ThrowingMembersException : Exception
    {
        public override string Message => throw new InvalidOperationException("broken Message");

        public int Code => throw new InvalidOperationException("broken Code");
    }

    private sealed class WeirdShapeException : Exception
    {
        public string Code { get; } = "NOT_AN_INT";

        public DateTime X { get; } = DateTime.MinValue;

        public int this[int i] => i;
    }
}
