using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>A part of the host that consumes from the broker while a connection is up.</summary>
internal interface IBrokerConsumer
{
    /// <summary>
    /// Starts consuming on <paramref name="connection"/>; the returned task ends once <paramref name="lifetime"/> is
    /// cancelled (the host stops, or the connection was lost) and the work in flight is settled.
    /// </summary>
    Task<Task> StartAsync(IConnection connection, CancellationToken lifetime);
}

/// <summary>
/// The host's one connection to the broker: opened at start and again after every loss, with a backoff that doubles
/// from Broker:ReconnectDelay to Broker:MaxReconnectDelay, the topology declared on every connect, the consumers
/// started on it, and a pool of channels with publisher confirms for everything the host publishes. While it is down,
/// <see cref="Unavailable"/> says why in one line naming the setting to look at (/readyz is 503, POST /events 503).
/// The client's own recovery is off: one loop owns reconnection and the consumers' state.
/// </summary>
internal sealed partial class BrokerConnection : BackgroundService
{
    private readonly BrokerOptions _options;
    private readonly ConnectionFactory _factory;
    private readonly IServiceProvider _services;
    private readonly RulesMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BrokerConnection> _logger;
    private volatile Session? _session;
    private volatile string? _unavailable;
    private string? _blocked;

    public BrokerConnection(IOptions<RulesHostOptions> options, IServiceProvider services, RulesMetrics metrics, TimeProvider time, ILogger<BrokerConnection> logger)
    {
        _options = options.Value.Broker;
        Topology = new BrokerTopology(_options, options.Value.Outbox);
        _factory = CreateFactory(_options, "oer-host " + Environment.MachineName);
        Location = Describe(_factory);
        _unavailable = $"not connected to the broker at {Location} yet";
        _services = services;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        metrics.TrackBroker(() => _session is null ? 0 : 1);
    }

    public BrokerTopology Topology { get; }

    /// <summary>The broker URI and virtual host, never with credentials.</summary>
    public string Location { get; }

    /// <summary>Why the host cannot take events now: not connected, or connected to a broker that blocks its publishers.</summary>
    public string? Unavailable => _unavailable ?? Volatile.Read(ref _blocked);

    public static ConnectionFactory CreateFactory(BrokerOptions options, string name)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.Uri!),
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = options.Heartbeat,
            ClientProvidedName = name,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
        };
        if (!string.IsNullOrEmpty(options.VirtualHost))
        {
            factory.VirtualHost = options.VirtualHost;
        }

        if (!string.IsNullOrEmpty(options.UserName))
        {
            factory.UserName = options.UserName;
        }

        if (!string.IsNullOrEmpty(options.Password))
        {
            factory.Password = options.Password;
        }

        if (factory.Ssl.Enabled && !string.IsNullOrEmpty(options.TlsServerName))
        {
            factory.Ssl.ServerName = options.TlsServerName;
        }

        return factory;
    }

    public static string Describe(ConnectionFactory factory) =>
        $"{(factory.Ssl.Enabled ? "amqps" : "amqp")}://{factory.HostName}:{factory.Port} (virtual host {factory.VirtualHost})";

    /// <summary>Why a connection attempt failed, in one line that names the setting to check.</summary>
    public static string Explain(Exception exception, string location)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationFailureException or PossibleAuthenticationFailureException
                || (e is OperationInterruptedException { ShutdownReason.ReplyCode: 403 } && e.Message.Contains("ACCESS_REFUSED", StringComparison.Ordinal)))
            {
                return $"the broker at {location} refused the credentials: check OpenEventRules:Broker:UserName and OpenEventRules__Broker__Password ({Short(e.Message)})";
            }

            if (e.Message.Contains("vhost", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("not found", StringComparison.OrdinalIgnoreCase))
            {
                return $"the broker at {location} has no such virtual host: check OpenEventRules:Broker:VirtualHost ({Short(e.Message)})";
            }

            if (e is OperationInterruptedException { ShutdownReason.ReplyCode: 406 } interrupted)
            {
                return $"the broker at {location} refused a queue declaration (an existing queue with other arguments; OpenEventRules:Broker:QueuePrefix, OpenEventRules:Broker:EventsQueue): {Short(interrupted.ShutdownReason.ReplyText)}";
            }

            if (e is SocketException socket)
            {
                return $"the broker at {location} is unreachable (OpenEventRules:Broker:Uri): {socket.Message}";
            }
        }

        return $"the broker at {location} is unreachable (OpenEventRules:Broker:Uri): {Short(exception.Message)}";
    }

    private static string Short(string text) => DeliveryResult.Shorten(text, 200);

    /// <summary>
    /// Publishes to <paramref name="queue"/> and returns once the broker confirmed every message (or throws
    /// <see cref="OutboxUnavailableException"/>: not connected, refused, or not confirmed within Broker:PublishTimeout).
    /// </summary>
    public async Task PublishAsync(string queue, IReadOnlyList<(BasicProperties Properties, byte[] Body)> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        if (_session is not { } session)
        {
            throw new OutboxUnavailableException(_unavailable ?? $"the broker at {Location} is not connected");
        }

        await session.PublishAsync(queue, messages, _options.PublishTimeout, _metrics, cancellationToken);
    }

    /// <summary>A channel of its own on the current connection (for `oer outbox` operations); null when not connected.</summary>
    public async Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        if (_session is not { } session)
        {
            throw new OutboxUnavailableException(_unavailable ?? $"the broker at {Location} is not connected");
        }

        return await session.Connection.CreateChannelAsync(new CreateChannelOptions(true, true), cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _options.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await RunConnectionAsync(delay, stoppingToken))
            {
                delay = _options.ReconnectDelay;
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                // Jitter, so that hosts that lost the broker together do not all knock at once.
                await Task.Delay(delay * (0.75 + (Random.Shared.NextDouble() / 2)), _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }

        _unavailable = "the host is stopping";
    }

    /// <summary>
    /// The connection's end (its reason, as a task), and its blocked state: a memory or disk alarm blocks every publisher,
    /// so each event would wait Broker:PublishTimeout and fail; /readyz says so and the load balancer sends elsewhere.
    /// </summary>
    private Task<string> Watch(IConnection connection)
    {
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            lost.TrySetResult(e.ReplyText);
            return Task.CompletedTask;
        };
        connection.ConnectionBlockedAsync += (_, e) =>
        {
            Volatile.Write(ref _blocked, $"the broker at {Location} blocks publishers ({e.Reason}): a memory or disk alarm on the broker (OpenEventRules:Broker:Uri)");
            LogBlocked(_logger, Location, e.Reason);
            return Task.CompletedTask;
        };
        connection.ConnectionUnblockedAsync += (_, _) =>
        {
            Volatile.Write(ref _blocked, null);
            return Task.CompletedTask;
        };
        return lost.Task;
    }

    /// <summary>
    /// One connection's life: connect, declare the topology, start the consumers, wait until the connection is lost
    /// (or the host stops), then stop the consumers and close it. True when it got as far as running the consumers
    /// (the next reconnect starts from the first delay again).
    /// </summary>
    private async Task<bool> RunConnectionAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        IConnection? connection = null;
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = new List<Task>();
        var connected = false;
        try
        {
            connection = await _factory.CreateConnectionAsync(stoppingToken);
            var lost = Watch(connection);
            await using (var declare = await connection.CreateChannelAsync(cancellationToken: stoppingToken))
            {
                await Topology.DeclareAsync(declare, stoppingToken);
            }

            _session = new Session(connection);
            foreach (var consumer in _services.GetServices<IBrokerConsumer>())
            {
                running.Add(await consumer.StartAsync(connection, lifetime.Token));
            }

            _unavailable = null;
            LogConnected(_logger, Location);
            connected = true;
            var reason = await LostOrConsumerEndedAsync(lost, running, stoppingToken);
            _session = null;
            Volatile.Write(ref _blocked, null);
            _unavailable = $"the connection to the broker at {Location} was lost (OpenEventRules:Broker:Uri): {reason}";
            _metrics.BrokerDisconnected();
            LogLost(_logger, _unavailable);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _session = null;
            _unavailable = Explain(ex, Location);
            LogUnavailable(_logger, _unavailable, delay.TotalSeconds);
        }
        finally
        {
            // Consumers stop taking messages and settle what they hold while the connection is still there.
            await lifetime.CancelAsync();
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30), _time, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            _session = null;
            await CloseAsync(connection);
        }

        return connected;
    }

    /// <summary>
    /// Why this connection is done: it was lost, or a consumer ended while it is up (its queue was deleted, its channel
    /// closed by the broker), which only a new connection, declaring the topology again, brings back.
    /// </summary>
    private static async Task<string> LostOrConsumerEndedAsync(Task<string> lost, List<Task> consumers, CancellationToken stoppingToken)
    {
        var first = await Task.WhenAny([lost, .. consumers]).WaitAsync(stoppingToken);
        return first == lost
            ? await lost
            : "a consumer stopped while the connection was up (its queue was deleted, or the broker closed its channel): reconnecting to declare the queues again";
    }

    private static async Task CloseAsync(IConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.CloseAsync(Constants.ReplySuccess, "the host is stopping or reconnecting", TimeSpan.FromSeconds(2), false, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or OperationInterruptedException or AlreadyClosedException or OperationCanceledException or TimeoutException)
        {
        }

        await connection.DisposeAsync();
    }

    /// <summary>One live connection and its confirm channels (a few, reused; a broken one is dropped).</summary>
    private sealed class Session(IConnection connection)
    {
        private readonly ConcurrentBag<IChannel> _channels = [];

        public IConnection Connection { get; } = connection;

        public async Task PublishAsync(string queue, IReadOnlyList<(BasicProperties Properties, byte[] Body)> messages, TimeSpan timeout, RulesMetrics metrics, CancellationToken cancellationToken)
        {
            IChannel? channel = null;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                if (!_channels.TryTake(out channel))
                {
                    channel = await Connection.CreateChannelAsync(new CreateChannelOptions(true, true), deadline.Token);
                }

                // Published together, confirmed together: one round trip for the actions of an event.
                var confirms = new Task[messages.Count];
                for (var i = 0; i < messages.Count; i++)
                {
                    confirms[i] = channel.BasicPublishAsync("", queue, mandatory: true, messages[i].Properties, messages[i].Body, deadline.Token).AsTask();
                }

                await Task.WhenAll(confirms);
                metrics.BrokerConfirms("ack", messages.Count);
                _channels.Add(channel);
                channel = null;
            }
            catch (PublishException ex)
            {
                metrics.BrokerConfirms(ex.IsReturn ? "returned" : "nack", 1);
                throw new OutboxUnavailableException(ex.IsReturn
                    ? $"the broker could not route to queue {queue}: it was deleted? (it is declared again at the next connect)"
                    : $"the broker refused to take a message for {queue} (a nack: its disk or memory alarm, or a queue limit)", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                metrics.BrokerConfirms("timeout", messages.Count);
                throw new OutboxUnavailableException($"the broker did not confirm within {timeout.TotalSeconds:0.###} s (OpenEventRules:Broker:PublishTimeout)", ex);
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or SocketException)
            {
                throw new OutboxUnavailableException($"the connection to the broker failed while publishing: {DeliveryResult.Shorten(ex.Message, 200)}", ex);
            }
            finally
            {
                if (channel is not null)
                {
                    // A channel that failed may hold unconfirmed messages: it is not reused.
                    _ = channel.DisposeAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the broker at {Location} blocks publishers ({Reason}): events are refused until it unblocks")]
    private static partial void LogBlocked(ILogger logger, string location, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "connected to the broker at {Location}")]
    private static partial void LogConnected(ILogger logger, string location);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason}")]
    private static partial void LogLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason}; trying again in {Seconds:0.#} s")]
    private static partial void LogUnavailable(ILogger logger, string reason, double seconds);
}
