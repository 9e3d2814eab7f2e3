namespace BotResilience.MTProto.Tests.Setup;

public sealed class MTProtoClientSetupTests
{
    [Fact]
    public void Sets_a_FloodRetryThreshold_property_to_minus_one()
    {
        var client = new PropertyClient();
        MTProtoClientSetup.DisableBuiltInFloodRetry(client);
        Assert.Equal(-1, client.FloodRetryThreshold);
    }

    [Fact]
    public void Sets_a_FloodRetryThreshold_field_to_minus_one_repeatedly()
    {
        var first = new FieldClient();
        var second = new FieldClient();
        MTProtoClientSetup.DisableBuiltInFloodRetry(first);
        MTProtoClientSetup.DisableBuiltInFloodRetry(second);
        Assert.Equal((-1, -1), (first.FloodRetryThreshold, second.FloodRetryThreshold));
    }

    [Fact]
    public void Objects_without_the_member_are_rejected_clearly()
    {
        var ex = Assert.Throws<ArgumentException>(() => MTProtoClientSetup.DisableBuiltInFloodRetry(new object()));
        Assert.Equal("client", ex.ParamName);
        Assert.Contains("FloodRetryThreshold", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MTProtoClientSetup.DisableBuiltInFloodRetry(new ReadOnlyClient()));
        Assert.Throws<ArgumentNullException>(() => MTProtoClientSetup.DisableBuiltInFloodRetry(null!));
    }

    private sealed class PropertyClient
    {
        public int FloodRetryThreshold { get; set; } = 60;
    }

    private sealed class FieldClient
    {
#pragma warning disable SA1401, CA1051
        public int FloodRetryThreshold = 60;
#pragma warning restore SA1401, CA1051
    }

    private sealed class ReadOnlyClient
    {
        public int FloodRetryThreshold => 60;
    }
}
