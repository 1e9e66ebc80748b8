namespace OpenEvent.Rules.Host.Configuration;

/// <summary>
/// OpenEventRules:Broker: several hosts sharing one RabbitMQ broker (AMQP 0-9-1). Empty <see cref="Uri"/>: no broker,
/// the host keeps its SQLite outbox. With a URI, events are also consumed from <see cref="EventsQueue"/>, and every
/// action travels through the broker's queues instead of the SQLite file (docs/several-hosts.md).
/// </summary>
public sealed class BrokerOptions
{
    /// <summary>amqp://host:5672 or amqps://host:5671 (TLS). Without user name or password: those come from the environment.</summary>
    public string? Uri { get; set; }

    /// <summary>The virtual host; default: the URI's path, else "/".</summary>
    public string? VirtualHost { get; set; }

    /// <summary>The user name; set it from the environment (OpenEventRules__Broker__UserName). Default: the client's (guest).</summary>
    public string? UserName { get; set; }

    /// <summary>The password; only from the environment (OpenEventRules__Broker__Password): a file or the command line is refused.</summary>
    public string? Password { get; set; }

    /// <summary>With amqps: the name the broker's certificate must carry, when it is not the URI's host.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>The durable quorum queue events are consumed from (what an EventBridge RabbitMQ target writes to).</summary>
    public string EventsQueue { get; set; } = "oer.events";

    /// <summary>The prefix of every other queue the hosts declare and share (actions, partitions, retries, dead letters).</summary>
    public string QueuePrefix { get; set; } = "oer";

    /// <summary>Event messages each host holds unacknowledged at once (AMQP prefetch).</summary>
    public int Prefetch { get; set; } = 32;

    /// <summary>Event messages each host processes at once.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// Action partitions: each is a single-active-consumer queue in which one host at a time applies the idempotency keys
    /// and the channels' rate limits and de-duplication windows. Every host must use the same number.
    /// </summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Deliveries of one event message before the broker dead-letters it (a message that keeps killing its consumer).</summary>
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>Idempotency keys each partition remembers (they are also forgotten after Outbox:DeliveredRetention).</summary>
    public int KeyMemory { get; set; } = 100_000;

    /// <summary>How long a publish waits for the broker's confirmation before the actions count as not stored (503).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before reconnecting; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>AMQP heartbeat: a broker that stops answering is noticed within about twice this.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(Uri);
}
