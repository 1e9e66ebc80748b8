using OpenEvent.Rules.Host.Actions;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// What one action partition remembers: the idempotency keys it admitted (by hash, bounded by Broker:KeyMemory and
/// Outbox:DeliveredRetention) and the throttle of each channel it serves. It is journaled in the partition's state
/// queue (<see cref="Write"/>: a whole snapshot or the changes of one batch) and rebuilt from it by the host that takes
/// the partition over, so that keys and limits stay exact across hosts and across the loss of one.
/// </summary>
internal sealed class PartitionState(NotificationThrottle throttle, int keyMemory, TimeSpan keyRetention)
{
    private const byte Version = 1;
    private readonly Dictionary<ulong, long> _keys = [];
    private readonly Queue<(ulong Hash, long At)> _order = new();

    public NotificationThrottle Throttle { get; } = throttle;

    public int KeyCount => _keys.Count;

    public bool Knows(ulong hash) => _keys.ContainsKey(hash);

    public void Remember(ulong hash, DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        if (_keys.TryAdd(hash, ms))
        {
            _order.Enqueue((hash, ms));
        }

        var oldest = ms - (long)keyRetention.TotalMilliseconds;
        while (_order.Count > 0 && (_order.Count > keyMemory || _order.Peek().At < oldest))
        {
            var (old, _) = _order.Dequeue();
            _keys.Remove(old);
        }
    }

    /// <summary>The journal entry: every key and channel (a snapshot), or the keys and channels of one batch (a delta).</summary>
    public byte[] Write(bool snapshot, IReadOnlyCollection<(ulong Hash, DateTimeOffset At)> newKeys, IEnumerable<string> channels)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Version);
            writer.Write(snapshot);
            if (snapshot)
            {
                writer.Write(_order.Count);
                foreach (var (hash, at) in _order)
                {
                    writer.Write(hash);
                    writer.Write(at);
                }
            }
            else
            {
                writer.Write(newKeys.Count);
                foreach (var (hash, at) in newKeys)
                {
                    writer.Write(hash);
                    writer.Write(at.ToUnixTimeMilliseconds());
                }
            }

            var exported = (snapshot ? Throttle.Channels() : channels).Distinct(StringComparer.Ordinal).Select(Throttle.Export).OfType<NotificationThrottle.ChannelSnapshot>().ToList();
            writer.Write(exported.Count);
            foreach (var channel in exported)
            {
                writer.Write(channel.Channel);
                writer.Write(channel.Tokens);
                writer.Write(channel.RefilledAt.ToUnixTimeMilliseconds());
                writer.Write(channel.Suppressed);
                writer.Write(channel.Recent.Count);
                foreach (var (hash, sentAt) in channel.Recent)
                {
                    writer.Write((ulong)(hash >> 64));
                    writer.Write((ulong)hash);
                    writer.Write(sentAt.ToUnixTimeMilliseconds());
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Applies one journal entry; returns whether it was a snapshot. Throws <see cref="InvalidDataException"/> on a foreign
    /// body, before anything is applied: the state queue is writable by anyone who can publish in the virtual host, and an
    /// entry with a time out of range threw past the skip and held the partition in a retry loop.
    /// </summary>
    public bool Apply(ReadOnlyMemory<byte> entry)
    {
        var (snapshot, keys, channels) = Read(entry);
        if (snapshot)
        {
            _keys.Clear();
            _order.Clear();
        }

        foreach (var (hash, at) in keys)
        {
            Remember(hash, at);
        }

        foreach (var channel in channels)
        {
            Throttle.Import(channel);
        }

        return snapshot;
    }

    private static (bool Snapshot, List<(ulong Hash, DateTimeOffset At)> Keys, List<NotificationThrottle.ChannelSnapshot> Channels) Read(ReadOnlyMemory<byte> entry)
    {
        using var stream = new MemoryStream(entry.ToArray());
        using var reader = new BinaryReader(stream);
        try
        {
            if (reader.ReadByte() != Version)
            {
                throw new InvalidDataException("unknown journal version");
            }

            var snapshot = reader.ReadBoolean();
            var keyCount = Count(reader, 16);
            var keys = new List<(ulong, DateTimeOffset)>(keyCount);
            for (var i = 0; i < keyCount; i++)
            {
                keys.Add((reader.ReadUInt64(), Time(reader.ReadInt64())));
            }

            var channelCount = Count(reader, 29); // a name of at least its length byte, tokens, two times, the recent count
            var channels = new List<NotificationThrottle.ChannelSnapshot>(channelCount);
            for (var i = 0; i < channelCount; i++)
            {
                var name = reader.ReadString();
                var tokens = reader.ReadDouble();
                if (!double.IsFinite(tokens))
                {
                    throw new InvalidDataException($"channel {name}: tokens are not a number");
                }

                var refilled = Time(reader.ReadInt64());
                var suppressed = reader.ReadInt64();
                var count = Count(reader, 24);
                var recent = new List<(UInt128, DateTimeOffset)>(count);
                for (var j = 0; j < count; j++)
                {
                    var high = reader.ReadUInt64();
                    var low = reader.ReadUInt64();
                    recent.Add((new UInt128(high, low), Time(reader.ReadInt64())));
                }

                channels.Add(new NotificationThrottle.ChannelSnapshot(name, tokens, refilled, suppressed, recent));
            }

            return (snapshot, keys, channels);
        }
        catch (Exception ex) when (ex is IOException or FormatException) // EndOfStreamException is an IOException
        {
            throw new InvalidDataException("truncated or malformed journal entry", ex);
        }
    }

    /// <summary>A count that the rest of the entry can hold (each item at least <paramref name="itemBytes"/> bytes).</summary>
    private static int Count(BinaryReader reader, int itemBytes)
    {
        var count = reader.ReadInt32();
        var left = reader.BaseStream.Length - reader.BaseStream.Position;
        return count >= 0 && count <= left / itemBytes ? count : throw new InvalidDataException($"a count of {count} that the entry cannot hold");
    }

    private static DateTimeOffset Time(long unixMilliseconds) =>
        unixMilliseconds >= DateTimeOffset.MinValue.ToUnixTimeMilliseconds() && unixMilliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds)
            : throw new InvalidDataException($"a time of {unixMilliseconds} ms, out of range");
}
