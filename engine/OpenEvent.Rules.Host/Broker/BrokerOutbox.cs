using OpenEvent.Rules.Host.Actions;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// The outbox of several hosts: an action is stored once the broker has confirmed it in its partition queue (durable,
/// replicated quorum queues). From there the partition's one active consumer admits it (<see cref="PartitionSequencer"/>)
/// and any host delivers it (<see cref="BrokerDeliveryConsumer"/>). Delivered actions are not kept (the receivers hold
/// them): counts and lists show what is pending and dead; `oer outbox retry` and `purge` work on the queues.
/// </summary>
internal sealed class BrokerOutbox(BrokerConnection connection, TimeProvider time) : IActionOutbox
{
    public const string ModeName = "broker";

    public string Mode => ModeName;

    public string Location => connection.Location;

    public string? Unavailable => connection.Unavailable;

    public async ValueTask EnqueueAsync(IReadOnlyList<NewAction> actions, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var topology = connection.Topology;
        foreach (var partition in actions.GroupBy(topology.PartitionOf))
        {
            await connection.PublishAsync(topology.PartitionQueue(partition.Key), [.. partition.Select(a => ActionMessage.ToMessage(a, now))], cancellationToken);
        }
    }

    public async Task<OutboxCounts> CountsAsync(CancellationToken cancellationToken)
    {
        await using var channel = await connection.OpenChannelAsync(cancellationToken);
        return await BrokerQueues.CountsAsync(channel, connection.Topology, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxItem>> ListAsync(string? status, int limit, CancellationToken cancellationToken)
    {
        await using var channel = await connection.OpenChannelAsync(cancellationToken);
        return await BrokerQueues.ListAsync(channel, connection.Topology, status, limit, cancellationToken);
    }

    public async Task<int> RetryAsync(IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        await using var channel = await connection.OpenChannelAsync(cancellationToken);
        return await BrokerQueues.RetryAsync(channel, connection.Topology, ids, keys, time.GetUtcNow(), cancellationToken);
    }

    public async Task<(int Delivered, int Dead)> PurgeAsync(DateTimeOffset? deliveredBefore, bool dead, IReadOnlyCollection<long>? deadIds, CancellationToken cancellationToken)
    {
        await using var channel = await connection.OpenChannelAsync(cancellationToken);
        return (0, dead ? await BrokerQueues.PurgeDeadAsync(channel, connection.Topology, deadIds ?? [], cancellationToken) : 0);
    }
}

/// <summary>
/// The outbox operations on the queues themselves, for the host's /outbox and for `oer outbox`, which opens its own
/// connection (<see cref="BrokerOutboxClient"/>). Listing reads messages without acknowledging them and closes the
/// channel, which puts them back; retrying and purging take the selected messages and acknowledge them only after
/// their replacement was confirmed.
/// </summary>
internal static class BrokerQueues
{
    public static async Task<OutboxCounts> CountsAsync(IChannel channel, BrokerTopology topology, CancellationToken cancellationToken)
    {
        long pending = 0;
        foreach (var queue in topology.PendingQueues)
        {
            pending += (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }

        var dead = (await channel.QueueDeclarePassiveAsync(topology.DeadQueue, cancellationToken)).MessageCount;
        return new OutboxCounts(pending, null, dead);
    }

    public static async Task<IReadOnlyList<OutboxItem>> ListAsync(IChannel channel, BrokerTopology topology, string? status, int limit, CancellationToken cancellationToken)
    {
        var items = new List<OutboxItem>();
        if (status is null or OutboxStore.Dead)
        {
            items.AddRange(await BrowseAsync(channel, topology.DeadQueue, OutboxStore.Dead, limit, cancellationToken));
        }

        if (status is null or OutboxStore.Pending)
        {
            foreach (var queue in topology.BrowsableQueues)
            {
                items.AddRange(await BrowseAsync(channel, queue, OutboxStore.Pending, limit - items.Count, cancellationToken));
            }
        }

        return [.. items.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(limit)];
    }

    public static async Task<int> RetryAsync(IChannel channel, BrokerTopology topology, IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = ids.Count == 0 && keys.Count == 0;
        bool Selected(OutboxItem item) => all || ids.Contains(item.Id) || keys.Contains(item.Key);
        // Dead letters start again (attempts, age); selected waiting retries are made due now. Both go to delivery.
        var count = await MoveAsync(channel, topology.DeadQueue, topology.DeliverQueue, Selected,
            item => item with { Attempts = 0, CreatedAt = now, NextAttemptAt = now }, cancellationToken);
        if (!all)
        {
            foreach (var delay in topology.RetryDelays)
            {
                count += await MoveAsync(channel, topology.RetryQueue(delay), topology.DeliverQueue, Selected, item => item with { NextAttemptAt = now }, cancellationToken);
            }
        }

        return count;
    }

    public static async Task<int> PurgeDeadAsync(IChannel channel, BrokerTopology topology, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return (int)await channel.QueuePurgeAsync(topology.DeadQueue, cancellationToken);
        }

        return await MoveAsync(channel, topology.DeadQueue, null, item => ids.Contains(item.Id), item => item, cancellationToken);
    }

    private static async Task<List<OutboxItem>> BrowseAsync(IChannel channel, string queue, string status, int limit, CancellationToken cancellationToken)
    {
        var items = new List<OutboxItem>();
        var taken = new List<ulong>();
        while (items.Count < limit && await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is { } message)
        {
            items.Add(ActionMessage.Read(message.BasicProperties, message.Body, status));
            taken.Add(message.DeliveryTag);
        }

        // Put back what was only looked at.
        foreach (var tag in taken)
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        }

        return items;
    }

    /// <summary>
    /// Takes every message of <paramref name="from"/> once; the selected ones are republished (changed) to
    /// <paramref name="to"/> (or dropped when it is null) and acknowledged after the broker confirmed, the rest put back.
    /// </summary>
    private static async Task<int> MoveAsync(IChannel channel, string from, string? to, Func<OutboxItem, bool> selected, Func<OutboxItem, OutboxItem> change, CancellationToken cancellationToken)
    {
        var available = (await channel.QueueDeclarePassiveAsync(from, cancellationToken)).MessageCount;
        var keep = new List<ulong>();
        var moved = 0;
        for (var i = 0; i < available && await channel.BasicGetAsync(from, autoAck: false, cancellationToken) is { } message; i++)
        {
            var item = ActionMessage.Read(message.BasicProperties, message.Body, OutboxStore.Pending);
            if (!selected(item))
            {
                keep.Add(message.DeliveryTag);
                continue;
            }

            if (to is not null)
            {
                var (properties, body) = ActionMessage.ToMessage(change(item));
                await channel.BasicPublishAsync("", to, mandatory: true, properties, body, cancellationToken);
            }

            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            moved++;
        }

        foreach (var tag in keep)
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        }

        return moved;
    }
}
