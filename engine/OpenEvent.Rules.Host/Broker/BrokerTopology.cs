using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// The queues every host declares (idempotently) and shares, all durable quorum queues reached through the default
/// exchange: the events queue and its dead letters; per partition, the single-active-consumer queue where one host at a
/// time admits actions (idempotency keys, rate limits, de-duplication) and its state journal; the delivery queue all
/// hosts compete on; one delay queue per backoff level, whose messages return to the delivery queue when their TTL
/// expires (dead-lettering, at least once); and the actions' dead letters.
/// </summary>
internal sealed class BrokerTopology
{
    private readonly BrokerOptions _broker;

    public BrokerTopology(BrokerOptions broker, OutboxOptions outbox)
    {
        _broker = broker;
        Partitions = broker.Partitions;
        EventsQueue = broker.EventsQueue;
        EventsDeadQueue = broker.EventsQueue + ".dead";
        DeliverQueue = broker.QueuePrefix + ".deliver";
        DeadQueue = broker.QueuePrefix + ".actions.dead";
        RetryDelays = Levels(outbox.InitialBackoff, outbox.MaxBackoff);
    }

    public int Partitions { get; }

    public string EventsQueue { get; }

    public string EventsDeadQueue { get; }

    public string DeliverQueue { get; }

    public string DeadQueue { get; }

    /// <summary>The delay of each retry level: InitialBackoff doubled up to MaxBackoff (a level per distinct delay).</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; }

    public string PartitionQueue(int partition) => $"{_broker.QueuePrefix}.actions.{partition}";

    public string StateQueue(int partition) => $"{_broker.QueuePrefix}.state.{partition}";

    public string RetryQueue(TimeSpan delay) => $"{_broker.QueuePrefix}.retry.{(long)delay.TotalMilliseconds}";

    /// <summary>The delay queue for the retry after <paramref name="attempt"/> failed attempts.</summary>
    public string RetryQueueFor(int attempt) => RetryQueue(RetryDelays[Math.Clamp(attempt - 1, 0, RetryDelays.Count - 1)]);

    /// <summary>The queues of actions not delivered yet: being admitted (partitions), to deliver, waiting for a retry.</summary>
    public IEnumerable<string> PendingQueues => [.. BrowsableQueues, .. Enumerable.Range(0, Partitions).Select(PartitionQueue)];

    /// <summary>The pending queues `oer outbox list` can read (a single-active-consumer queue refuses basic.get).</summary>
    public IEnumerable<string> BrowsableQueues => [DeliverQueue, .. RetryDelays.Select(RetryQueue)];

    /// <summary>
    /// The partition of an action: a notification by its channel (so one consumer sees every notification of a channel
    /// and its limits are exact), anything else by its event (spread; the key, which names the event, stays in one place).
    /// </summary>
    public int PartitionOf(NewAction action) =>
        (int)(StableHash.Of(action.Kind == NotificationGate.NotifyKind ? "notify:" + action.Destination : action.EventId) % (ulong)Partitions);

    public async Task DeclareAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await Quorum(channel, EventsDeadQueue, null, cancellationToken);
        await Quorum(channel, EventsQueue, new Dictionary<string, object?>
        {
            // A message that keeps failing its consumer (it crashes on it) ends in the dead-letter queue, not in a loop.
            ["x-delivery-limit"] = _broker.DeliveryLimit,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = EventsDeadQueue,
        }, cancellationToken);
        await Quorum(channel, DeliverQueue, null, cancellationToken);
        await Quorum(channel, DeadQueue, null, cancellationToken);
        foreach (var delay in RetryDelays)
        {
            await Quorum(channel, RetryQueue(delay), new Dictionary<string, object?>
            {
                ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = DeliverQueue,
                // Quorum queues dead-letter at least once only with reject-publish overflow.
                ["x-dead-letter-strategy"] = "at-least-once",
                ["x-overflow"] = "reject-publish",
            }, cancellationToken);
        }

        for (var partition = 0; partition < Partitions; partition++)
        {
            await Quorum(channel, PartitionQueue(partition), new Dictionary<string, object?> { ["x-single-active-consumer"] = true }, cancellationToken);
            await Quorum(channel, StateQueue(partition), null, cancellationToken);
        }
    }

    private static async Task Quorum(IChannel channel, string name, Dictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, object?>(arguments ?? []) { ["x-queue-type"] = "quorum" };
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: all, cancellationToken: cancellationToken);
    }

    private static List<TimeSpan> Levels(TimeSpan initial, TimeSpan max)
    {
        var levels = new List<TimeSpan>();
        for (var delay = initial; levels.Count < 32; delay *= 2)
        {
            var capped = delay > max ? max : delay;
            levels.Add(TimeSpan.FromMilliseconds(Math.Max(1, Math.Round(capped.TotalMilliseconds))));
            if (capped >= max)
            {
                break;
            }
        }

        return levels;
    }
}

/// <summary>A hash that is the same in every process (string.GetHashCode is not): partitions and remembered keys.</summary>
internal static class StableHash
{
    public static ulong Of(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
