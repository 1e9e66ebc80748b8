using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Broker;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// The journal a partition's new owner rebuilds its memory from: its own entries read back exactly, and a foreign entry
/// (anyone who can publish in the virtual host can write one) refused whole, before any of it is applied.
/// </summary>
public sealed class PartitionStateTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static PartitionState NewState() =>
        new(new NotificationThrottle(Options.Create(new RulesHostOptions()), TimeProvider.System), keyMemory: 1000, keyRetention: TimeSpan.FromDays(7));

    [Fact]
    public void Snapshot_WrittenThenApplied_GivesTheSameKeys()
    {
        var state = NewState();
        state.Remember(1, s_now);
        state.Remember(2, s_now.AddSeconds(1));

        var copy = NewState();
        Assert.True(copy.Apply(state.Write(snapshot: true, [], [])));

        Assert.Equal(2, copy.KeyCount);
        Assert.True(copy.Knows(1));
        Assert.True(copy.Knows(2));
    }

    public static TheoryData<string, byte[]> ForeignEntries => new()
    {
        // A snapshot flag, one key whose time (2^62 ms) is past any date: it threw past the skip and held the partition.
        { "time out of range", [1, 1, 1, 0, 0, 0, 0x39, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0] },
        { "a count larger than the entry", [1, 1, 0xFF, 0xFF, 0xFF, 0x7F] },
        { "a negative count", [1, 1, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "truncated", [1, 0, 1, 0, 0, 0, 1, 2, 3] },
        { "unknown version", [9] },
        { "empty", [] },
    };

    [Theory]
    [MemberData(nameof(ForeignEntries))]
    public void ForeignEntry_IsRefusedWhole_AndTheStateIsAsItWas(string name, byte[] entry)
    {
        var state = NewState();
        state.Remember(42, s_now);

        var refused = Assert.Throws<InvalidDataException>(() => state.Apply(entry));

        Assert.False(string.IsNullOrEmpty(refused.Message), name);
        Assert.Equal(1, state.KeyCount); // a snapshot flag did not clear the keys before the entry failed
        Assert.True(state.Knows(42));
    }
}
