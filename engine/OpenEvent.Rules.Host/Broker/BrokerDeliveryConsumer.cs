using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// Delivers admitted actions; every host competes on the one delivery queue, Outbox:Concurrency at a time. After an
/// attempt (<see cref="ActionDelivery"/>) the message is acknowledged only once what follows is safe in the broker: a
/// retry is published to the delay queue of its backoff level (from which the broker returns it to the delivery queue
/// when its time has come), a dead letter to the dead-letter queue with its last error. A host that dies mid-delivery
/// leaves the message to another host, which sends it again with the same Idempotency-Key (at least once). A host that
/// stops lets the attempts in flight finish (<see cref="ActionDelivery.AttemptAsync"/>) and acknowledges them before it closes.
/// </summary>
internal sealed partial class BrokerDeliveryConsumer(
    BrokerConnection broker,
    ActionDelivery delivery,
    IOptions<RulesHostOptions> options,
    TimeProvider time,
    RulesMetrics metrics,
    ILogger<BrokerDeliveryConsumer> logger) : IBrokerConsumer
{
    private readonly OutboxOptions _outbox = options.Value.Outbox;

    public Task<Task> StartAsync(IConnection connection, CancellationToken lifetime) =>
        QueueConsumer.StartAsync(connection, broker.Topology.DeliverQueue, (ushort)_outbox.Concurrency, (ushort)_outbox.Concurrency, HandleAsync,
            ex => LogHandlerFailed(logger, ex), lifetime);

    private async Task HandleAsync(IChannel channel, Delivery message, CancellationToken lifetime)
    {
        var item = ActionMessage.Read(message.Properties, message.Body, OutboxStore.Pending);
        if (message.Redelivered)
        {
            metrics.BrokerRedelivered(broker.Topology.DeliverQueue);
        }

        var step = await delivery.AttemptAsync(item);
        var now = time.GetUtcNow();
        switch (step)
        {
            case { Kind: DeliveryStepKind.Retry }:
                var retry = item with { Attempts = step.Attempt, NextAttemptAt = now + step.RetryIn, LastError = step.Error };
                await broker.PublishAsync(broker.Topology.RetryQueueFor(step.Attempt), [ActionMessage.ToMessage(retry)], CancellationToken.None);
                break;
            case { Kind: DeliveryStepKind.Dead }:
                var dead = item with { Attempts = step.Attempt, LastError = step.Error };
                await broker.PublishAsync(broker.Topology.DeadQueue, [ActionMessage.ToMessage(dead, now)], CancellationToken.None);
                metrics.BrokerDeadLettered(broker.Topology.DeadQueue, "delivery-failed");
                break;
        }

        await channel.BasicAckAsync(message.Tag, multiple: false, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "an action could not be handed on after its delivery attempt; the broker gives it to a host again")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
