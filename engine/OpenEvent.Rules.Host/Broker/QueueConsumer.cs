using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>One delivery, copied out of the client's buffer (valid only during its callback).</summary>
internal sealed record Delivery(ulong Tag, bool Redelivered, IReadOnlyBasicProperties Properties, byte[] Body);

/// <summary>
/// Consumes one queue on a channel of its own: at most <c>prefetch</c> messages held, <c>concurrency</c> handled at
/// once. When the lifetime ends, it stops taking messages, lets the handlers in flight finish (they ack or nack on the
/// still open channel), and closes the channel; whatever is left unacknowledged goes back to the queue. The task it
/// returns also ends when the channel closes or the broker cancels the consumer (its queue was deleted).
/// </summary>
internal static class QueueConsumer
{
    public static async Task<Task> StartAsync(IConnection connection, string queue, ushort prefetch, ushort concurrency,
        Func<IChannel, Delivery, CancellationToken, Task> handle, Action<Exception> onHandlerFailure, CancellationToken lifetime)
    {
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: concurrency), lifetime);
        await channel.BasicQosAsync(0, prefetch, global: false, lifetime);
        var consumer = new AsyncEventingBasicConsumer(channel);
        var inFlight = new InFlight();
        consumer.ReceivedAsync += (_, e) => HandleAsync(channel, e, handle, onHandlerFailure, inFlight, lifetime);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        // The broker cancels a consumer whose queue was deleted, and the channel stays open: consuming ends here too, so
        // that the connection's owner reconnects and declares the queue again (before, nothing was consumed, for good).
        consumer.UnregisteredAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: false, arguments: null, consumer, lifetime);
        return RunAsync(channel, tag, closed.Task, inFlight, lifetime);
    }

    private static async Task HandleAsync(IChannel channel, BasicDeliverEventArgs e, Func<IChannel, Delivery, CancellationToken, Task> handle,
        Action<Exception> onHandlerFailure, InFlight inFlight, CancellationToken lifetime)
    {
        inFlight.Enter();
        try
        {
            await handle(channel, new Delivery(e.DeliveryTag, e.Redelivered, e.BasicProperties, e.Body.ToArray()), lifetime);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or OperationCanceledException or IOException)
        {
            // The channel or connection went away: the message returns to the queue by itself. With the channel still
            // open (a publish the broker did not confirm in time: a memory or disk alarm), it would stay unacknowledged
            // until the connection dropped, holding a prefetch slot: it is handed back.
            await ReturnAsync(channel, e.DeliveryTag, lifetime);
        }
        catch (Exception ex)
        {
            onHandlerFailure(ex);
            await ReturnAsync(channel, e.DeliveryTag, lifetime);
        }
        finally
        {
            inFlight.Leave();
        }
    }

    /// <summary>Hands a message the handler could not finish back to the queue (after a pause: the cause may last), when its channel is still open.</summary>
    private static async Task ReturnAsync(IChannel channel, ulong tag, CancellationToken lifetime)
    {
        if (!channel.IsOpen)
        {
            return;
        }

        try
        {
            await Task.Delay(ReturnDelay, lifetime);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the nack below still hands it back now rather than at the channel's close.
        }

        try
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // Closed meanwhile: the broker returns it to the queue itself.
        }
    }

    /// <summary>How long a message that could not be handled waits before it goes back to the queue (and to a host).</summary>
    internal static readonly TimeSpan ReturnDelay = TimeSpan.FromSeconds(1);

    /// <summary>Waits for the end of the lifetime (or of the channel), then stops taking messages, drains the handlers and closes the channel.</summary>
    private static async Task RunAsync(IChannel channel, string tag, Task closed, InFlight inFlight, CancellationToken lifetime)
    {
        try
        {
            await Task.WhenAny(closed, Task.Delay(Timeout.Infinite, lifetime));
            inFlight.Stop();
            if (channel.IsOpen)
            {
                try
                {
                    await channel.BasicCancelAsync(tag, noWait: false, CancellationToken.None);
                }
                catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
                {
                }
            }

            if (inFlight.Any)
            {
                await inFlight.Drained.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            try
            {
                await channel.CloseAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or OperationCanceledException)
            {
            }

            await channel.DisposeAsync();
        }
    }

    /// <summary>The handlers running; once stopping, the last one to finish signals <see cref="Drained"/>.</summary>
    private sealed class InFlight
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;
        private int _stopping;

        public bool Any => Volatile.Read(ref _count) > 0;

        public Task Drained => _drained.Task;

        public void Enter() => Interlocked.Increment(ref _count);

        public void Leave()
        {
            if (Interlocked.Decrement(ref _count) == 0 && Volatile.Read(ref _stopping) == 1)
            {
                _drained.TrySetResult();
            }
        }

        public void Stop() => Volatile.Write(ref _stopping, 1);
    }
}
