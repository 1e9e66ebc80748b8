using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Ingestion;
using OpenEvent.Rules.Host.Observability;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// Takes events from the events queue (what an EventBridge RabbitMQ target writes), Broker:Prefetch held and
/// Broker:Concurrency processed at once per host, hosts competing for messages. A message is acknowledged only once its
/// event is decided and its actions confirmed by the broker; an invalid event (not JSON, too large, refused at the door)
/// is published to the events' dead-letter queue with its errorId and reason, then acknowledged; an event that cannot be
/// processed now (the outbox refused its actions) is given back. A host that dies mid-message leaves it to another host;
/// a message that keeps killing its consumers is dead-lettered by the broker after Broker:DeliveryLimit deliveries.
/// </summary>
internal sealed partial class BrokerEventConsumer(
    BrokerConnection broker,
    QueueIngestion ingestion,
    IOptions<RulesHostOptions> options,
    TimeProvider time,
    RulesMetrics metrics,
    ILogger<BrokerEventConsumer> logger) : IBrokerConsumer
{
    public const string ErrorIdHeader = "oer-error-id";
    public const string ErrorHeader = "oer-error";

    private readonly BrokerOptions _options = options.Value.Broker;
    private long _eventsReady;
    private long _deliveriesReady;
    private int _tracking;

    public async Task<Task> StartAsync(IConnection connection, CancellationToken lifetime)
    {
        if (Interlocked.Exchange(ref _tracking, 1) == 0)
        {
            metrics.TrackConsumerLag(() =>
            [
                new(Volatile.Read(ref _eventsReady), new KeyValuePair<string, object?>("queue", broker.Topology.EventsQueue)),
                new(Volatile.Read(ref _deliveriesReady), new KeyValuePair<string, object?>("queue", broker.Topology.DeliverQueue)),
            ]);
        }

        var consuming = await QueueConsumer.StartAsync(connection, broker.Topology.EventsQueue, (ushort)_options.Prefetch, (ushort)_options.Concurrency, HandleAsync,
            ex => LogHandlerFailed(logger, ex), lifetime);
        // Ends when consuming ends (the connection's owner then reconnects); the lag's loop ends with the lifetime.
        return Task.WhenAny(consuming, MeasureLagAsync(connection, lifetime)).Unwrap();
    }

    private async Task HandleAsync(IChannel channel, Delivery message, CancellationToken lifetime)
    {
        if (message.Redelivered)
        {
            metrics.BrokerRedelivered(broker.Topology.EventsQueue);
        }

        // Not cancelled with the connection's lifetime: an event being decided is finished (its actions stored) first.
        var outcome = await ingestion.IngestAsync(message.Body, message.Properties.ContentType, message.Properties.ContentEncoding, CancellationToken.None);
        var wait = _options.ReconnectDelay;
        while (outcome.Result == IngestResult.Unavailable && !lifetime.IsCancellationRequested && channel.IsOpen)
        {
            // Held and tried again here, not given back: every return to the queue counts towards Broker:DeliveryLimit,
            // and an outbox that is briefly unavailable must not dead-letter a good event.
            LogHeld(logger, outcome.Message ?? "", wait.TotalSeconds);
            try
            {
                await Task.Delay(wait, time, lifetime);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            outcome = await ingestion.IngestAsync(message.Body, message.Properties.ContentType, message.Properties.ContentEncoding, CancellationToken.None);
        }

        switch (outcome.Result)
        {
            case IngestResult.Stored:
                await channel.BasicAckAsync(message.Tag, multiple: false, CancellationToken.None);
                break;
            case IngestResult.Invalid:
                await DeadLetterAsync(channel, message, outcome);
                break;
            default:
                LogGivenBack(logger, outcome.Message ?? "");
                await channel.BasicNackAsync(message.Tag, multiple: false, requeue: true, CancellationToken.None);
                break;
        }
    }

    /// <summary>An invalid event goes to the events' dead-letter queue, then is acknowledged.</summary>
    private async Task DeadLetterAsync(IChannel channel, Delivery message, IngestOutcome outcome)
    {
        // The message as it came (its headers and content encoding too: a dead letter is re-driven or read
        // as it was sent), with the reason beside them.
        var headers = new Dictionary<string, object?>(message.Properties.Headers ?? new Dictionary<string, object?>())
        {
            [ErrorIdHeader] = outcome.ErrorId,
            [ErrorHeader] = outcome.Message,
            ["oer-dead-at"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = message.Properties.MessageId,
            ContentType = message.Properties.ContentType,
            ContentEncoding = message.Properties.ContentEncoding,
            Headers = headers,
        };
        await broker.PublishAsync(broker.Topology.EventsDeadQueue, [(properties, message.Body)], CancellationToken.None);
        await channel.BasicAckAsync(message.Tag, multiple: false, CancellationToken.None);
        metrics.BrokerDeadLettered(broker.Topology.EventsDeadQueue, outcome.ErrorId ?? "invalid");
        LogDeadLettered(logger, outcome.ErrorId ?? "invalid", outcome.Message ?? "");
    }

    /// <summary>How far the hosts are behind: messages ready in the events and delivery queues, every 5 s.</summary>
    private async Task MeasureLagAsync(IConnection connection, CancellationToken lifetime)
    {
        try
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: lifetime);
            while (!lifetime.IsCancellationRequested && channel.IsOpen)
            {
                Volatile.Write(ref _eventsReady, (await channel.QueueDeclarePassiveAsync(broker.Topology.EventsQueue, lifetime)).MessageCount);
                Volatile.Write(ref _deliveriesReady, (await channel.QueueDeclarePassiveAsync(broker.Topology.DeliverQueue, lifetime)).MessageCount);
                await Task.Delay(TimeSpan.FromSeconds(5), time, lifetime);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "an event from the queue was dead-lettered ({ErrorId}): {Message}")]
    private static partial void LogDeadLettered(ILogger logger, string errorId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "an event from the queue is held and tried again in {Seconds:0.#} s: {Reason}")]
    private static partial void LogHeld(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "an event from the queue was given back to it: {Reason}")]
    private static partial void LogGivenBack(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "an event from the queue could not be settled; the broker gives it to a host again")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
