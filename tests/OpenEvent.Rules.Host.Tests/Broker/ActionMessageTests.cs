using RabbitMQ.Client;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Broker;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// Reading an action message never throws on its headers: a message published by hand (or by anything else on the
/// broker) with a time header outside what DateTimeOffset holds made every read throw, and its partition was consumed
/// again every second, forever, holding back every action behind it.
/// </summary>
public sealed class ActionMessageTests
{
    [Theory]
    [InlineData(999_999_999_999_999_999L)]
    [InlineData(long.MinValue)]
    public void Read_TimeHeadersOutOfRange_ClampedNotThrown(long milliseconds)
    {
        var properties = new BasicProperties
        {
            MessageId = "poison-1",
            Headers = new Dictionary<string, object?> { ["oer-kind"] = "notify", ["oer-created"] = milliseconds, ["oer-next"] = milliseconds },
        };

        var item = ActionMessage.Read(properties, "{}"u8.ToArray(), OutboxStore.Pending);

        var expected = milliseconds > 0 ? DateTimeOffset.MaxValue : DateTimeOffset.MinValue;
        Assert.Equal(("poison-1", "notify"), (item.Key, item.Kind));
        Assert.Equal(expected.ToUnixTimeMilliseconds(), item.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(expected.ToUnixTimeMilliseconds(), item.NextAttemptAt.ToUnixTimeMilliseconds());
    }
}
