using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// The broker outbox seen from outside a host (`oer outbox --broker`): its own connection, opened on first use, and the
/// same queue operations as the host's <see cref="BrokerOutbox"/>. It needs the hosts' Broker and Outbox settings
/// (queue prefix, partitions, backoff levels) to find their queues: the CLI reads them like the host does. It only
/// inspects and replays; actions are stored by the hosts.
/// </summary>
public sealed class BrokerOutboxClient(BrokerOptions broker, OutboxOptions outbox, TimeProvider time) : IOutbox, IAsyncDisposable
{
    private readonly ConnectionFactory _factory = BrokerConnection.CreateFactory(broker, "oer outbox");
    private readonly BrokerTopology _topology = new(broker, outbox);
    private IConnection? _connection;

    public string Mode => BrokerOutbox.ModeName;

    public string Location => BrokerConnection.Describe(_factory);

    public async Task<OutboxCounts> CountsAsync(CancellationToken cancellationToken)
    {
        await using var channel = await ChannelAsync(cancellationToken);
        return await BrokerQueues.CountsAsync(channel, _topology, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxItem>> ListAsync(string? status, int limit, CancellationToken cancellationToken)
    {
        await using var channel = await ChannelAsync(cancellationToken);
        return await BrokerQueues.ListAsync(channel, _topology, status, limit, cancellationToken);
    }

    public async Task<int> RetryAsync(IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        await using var channel = await ChannelAsync(cancellationToken);
        return await BrokerQueues.RetryAsync(channel, _topology, ids, keys, time.GetUtcNow(), cancellationToken);
    }

    public async Task<(int Delivered, int Dead)> PurgeAsync(DateTimeOffset? deliveredBefore, bool dead, IReadOnlyCollection<long>? deadIds, CancellationToken cancellationToken)
    {
        await using var channel = await ChannelAsync(cancellationToken);
        return (0, dead ? await BrokerQueues.PurgeDeadAsync(channel, _topology, deadIds ?? [], cancellationToken) : 0);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection ??= await _factory.CreateConnectionAsync(cancellationToken);
            return await _connection.CreateChannelAsync(new CreateChannelOptions(true, true), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new OutboxUnavailableException(BrokerConnection.Explain(ex, Location), ex);
        }
    }
}
