using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// Admits actions exactly once across hosts. Every host consumes every partition queue, and the broker lets one consumer
/// per queue be active (x-single-active-consumer): all actions of a partition, from whichever host stored them, are
/// admitted in one place, in order. Admitting an action means: drop it when its idempotency key was admitted before (an
/// event redelivered to another host), and pass a notification through its channel's rate limit and de-duplication
/// window (<see cref="NotificationGate"/>); admitted actions go to the delivery queue, which every host delivers from.
///
/// A batch is handled in this order: admit in memory, publish the admitted actions (confirmed), append what changed to
/// the partition's state journal (confirmed), then acknowledge the batch. A host that takes the partition over reads the
/// journal first, so limits and keys go on where the last host stopped; a host that dies between the publish and the
/// journal leaves a batch that is admitted again: at least once, never lost. Every 64 batches the journal is compacted
/// into one snapshot.
/// </summary>
internal sealed partial class PartitionSequencer(
    BrokerConnection broker,
    NotificationGate gate,
    IOptions<RulesHostOptions> options,
    TimeProvider time,
    RulesMetrics metrics,
    ILogger<PartitionSequencer> logger) : IBrokerConsumer
{
    /// <summary>Messages admitted per batch, at most (and the prefetch of each partition consumer).</summary>
    public const int BatchSize = 256;

    private const int CompactEvery = 64;
    private const string SeqHeader = "oer-seq";
    private const string SnapshotHeader = "oer-snapshot";

    private readonly BrokerOptions _broker = options.Value.Broker;
    private readonly RulesHostOptions _options = options.Value;
    private readonly BrokerConnection _connection = broker;
    private readonly NotificationGate _gate = gate;
    private readonly TimeProvider _time = time;
    private readonly RulesMetrics _metrics = metrics;
    private readonly ILogger _logger = logger;

    public async Task<Task> StartAsync(IConnection connection, CancellationToken lifetime)
    {
        var runs = new List<Task>();
        for (var partition = 0; partition < _connection.Topology.Partitions; partition++)
        {
            runs.Add(RunPartitionAsync(connection, partition, lifetime));
        }

        await Task.Yield();
        // One partition that ends while the connection is up (a queue of it deleted) ends them all: the connection's
        // owner reconnects and declares the queues again.
        return Task.WhenAny(runs).Unwrap();
    }

    private async Task RunPartitionAsync(IConnection connection, int partition, CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested && connection.IsOpen)
        {
            try
            {
                await new Run(this, connection, partition).ExecuteAsync(lifetime);
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException && !connection.IsOpen)
            {
                return;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == Constants.NotFound)
            {
                // A queue of the partition is gone (deleted while the hosts run): retrying every second would fail
                // forever, while /readyz said ready; a new connection declares it again.
                LogPartitionFailed(_logger, partition, ex);
                return;
            }
            catch (Exception ex)
            {
                // The run gives its messages back and a new one starts (its state is read again from the journal).
                LogPartitionFailed(_logger, partition, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, lifetime);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One registration on a partition queue: its consumer, its state channel and the state it loaded.</summary>
    private sealed class Run(PartitionSequencer owner, IConnection connection, int partition)
    {
        private readonly string _queue = owner._connection.Topology.PartitionQueue(partition);
        private readonly string _stateQueue = owner._connection.Topology.StateQueue(partition);
        private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
        private readonly List<ulong> _heldState = [];
        private PartitionState? _state;
        private long _nextSeq;
        private int _sinceCompaction;

        public async Task ExecuteAsync(CancellationToken lifetime)
        {
            await using var consume = await connection.CreateChannelAsync(cancellationToken: lifetime);
            await using var journal = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), lifetime);
            await consume.BasicQosAsync(0, BatchSize, global: false, lifetime);
            var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(consume);
            consumer.ReceivedAsync += (_, e) =>
            {
                _deliveries.Writer.TryWrite(new Delivery(e.DeliveryTag, e.Redelivered, e.BasicProperties, e.Body.ToArray()));
                return Task.CompletedTask;
            };
            consume.ChannelShutdownAsync += (_, _) =>
            {
                _deliveries.Writer.TryComplete();
                return Task.CompletedTask;
            };
            await consume.BasicConsumeAsync(_queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: false, arguments: null, consumer, lifetime);

            var batch = new List<Delivery>(BatchSize);
            while (await _deliveries.Reader.WaitToReadAsync(lifetime))
            {
                batch.Clear();
                while (batch.Count < BatchSize && _deliveries.Reader.TryRead(out var delivery))
                {
                    batch.Add(delivery);
                }

                // The first message is the sign that this consumer became the active one: read the journal now.
                _state ??= await LoadAsync(journal, lifetime);
                await AdmitAsync(consume, journal, batch, lifetime);
            }
        }

        private async Task AdmitAsync(IChannel consume, IChannel journal, List<Delivery> batch, CancellationToken lifetime)
        {
            var state = _state!;
            var now = owner._time.GetUtcNow();
            var admitted = new List<(BasicProperties, byte[])>(batch.Count);
            var newKeys = new List<(ulong Hash, DateTimeOffset At)>(batch.Count);
            var channels = new HashSet<string>(StringComparer.Ordinal);
            var unreadable = new List<(BasicProperties, byte[])>();
            foreach (var delivery in batch)
            {
                var item = ActionMessage.Read(delivery.Properties, delivery.Body, OutboxStore.Pending);
                NewAction action;
                try
                {
                    action = ActionMessage.ToAction(item);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    // Not an action any host can deliver: dead-lettered at once, with the reason, never retried in a loop.
                    unreadable.Add(ActionMessage.ToMessage(item with { LastError = $"the payload cannot be read: {ex.Message}" }, now));
                    continue;
                }

                var hash = StableHash.Of(item.Key);
                if (state.Knows(hash))
                {
                    owner._metrics.Action(item.Kind, "duplicate");
                    continue;
                }

                state.Remember(hash, now);
                newKeys.Add((hash, now));
                if (item.Kind == NotificationGate.NotifyKind)
                {
                    channels.Add(item.Destination);
                }

                if (owner._gate.Admit(action, state.Throttle) is { } pass)
                {
                    admitted.Add(ActionMessage.ToMessage(item with { Payload = ActionPayloads.Write(pass.Payload) }));
                }
            }

            // From the first publish on, the batch is finished even when the host is stopping: cut off after its actions
            // went to the delivery queue but before its journal entry and its acknowledgement, the batch came back to
            // the next host, which did not know its keys and sent every action again.
            await owner._connection.PublishAsync(owner._connection.Topology.DeliverQueue, admitted, CancellationToken.None);
            await owner._connection.PublishAsync(owner._connection.Topology.DeadQueue, unreadable, CancellationToken.None);
            if (newKeys.Count > 0)
            {
                await AppendAsync(journal, snapshot: false, newKeys, channels, CancellationToken.None);
            }

            await consume.BasicAckAsync(batch[^1].Tag, multiple: true, CancellationToken.None);
            if (++_sinceCompaction >= CompactEvery)
            {
                await CompactAsync(journal, lifetime);
            }
        }

        private async Task<PartitionState> LoadAsync(IChannel journal, CancellationToken lifetime)
        {
            var state = new PartitionState(new NotificationThrottle(Options.Create(owner._options), owner._time), owner._broker.KeyMemory, owner._options.Outbox.DeliveredRetention);
            var entries = new List<(long Seq, bool Snapshot, byte[] Body)>();
            while (await journal.BasicGetAsync(_stateQueue, autoAck: false, lifetime) is { } message)
            {
                _heldState.Add(message.DeliveryTag);
                var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
                entries.Add((ActionMessage.Long(headers, SeqHeader) ?? 0, ActionMessage.Long(headers, SnapshotHeader) == 1, message.Body.ToArray()));
            }

            entries.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            var from = entries.FindLastIndex(e => e.Snapshot);
            foreach (var entry in entries.Skip(Math.Max(0, from)))
            {
                try
                {
                    state.Apply(entry.Body);
                }
                catch (InvalidDataException ex)
                {
                    LogJournalEntrySkipped(owner._logger, partition, entry.Seq, ex.Message);
                }
            }

            _nextSeq = entries.Count == 0 ? 1 : entries[^1].Seq + 1;
            _state = state;
            LogTookOver(owner._logger, partition, state.KeyCount, entries.Count);
            owner._metrics.PartitionTakeover();
            await CompactAsync(journal, lifetime);
            return state;
        }

        /// <summary>Writes one snapshot and removes every older journal entry; the snapshot itself stays held by this run.</summary>
        private async Task CompactAsync(IChannel journal, CancellationToken lifetime)
        {
            var seq = await AppendAsync(journal, snapshot: true, [], [], lifetime);
            foreach (var tag in _heldState)
            {
                await journal.BasicAckAsync(tag, multiple: false, lifetime);
            }

            _heldState.Clear();
            // The deltas written since the last snapshot come first, then the new snapshot (the queue is FIFO).
            while (await journal.BasicGetAsync(_stateQueue, autoAck: false, lifetime) is { } message)
            {
                var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
                if (ActionMessage.Long(headers, SeqHeader) == seq)
                {
                    _heldState.Add(message.DeliveryTag);
                    break;
                }

                await journal.BasicAckAsync(message.DeliveryTag, multiple: false, lifetime);
            }

            _sinceCompaction = 0;
        }

        private async Task<long> AppendAsync(IChannel journal, bool snapshot, IReadOnlyCollection<(ulong, DateTimeOffset)> keys, IEnumerable<string> channels, CancellationToken lifetime)
        {
            var seq = _nextSeq++;
            var properties = new BasicProperties
            {
                Persistent = true,
                Headers = new Dictionary<string, object?> { [SeqHeader] = seq, [SnapshotHeader] = snapshot ? 1L : 0L },
            };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
            deadline.CancelAfter(owner._broker.PublishTimeout);
            await journal.BasicPublishAsync("", _stateQueue, mandatory: true, properties, _state!.Write(snapshot, keys, channels), deadline.Token);
            return seq;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "action partition {Partition}: this host is its active consumer now ({Keys} idempotency keys remembered, from {Entries} journal entries)")]
    private static partial void LogTookOver(ILogger logger, int partition, int keys, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "action partition {Partition}: journal entry {Seq} skipped: {Reason}")]
    private static partial void LogJournalEntrySkipped(ILogger logger, int partition, long seq, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "action partition {Partition} failed; it is consumed again in 1 s")]
    private static partial void LogPartitionFailed(ILogger logger, int partition, Exception exception);
}
