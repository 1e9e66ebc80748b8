using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>One delivery, copied out of the client's buffer (valid only during its callback).</summary>
internal sealed record Delivery(ulong Tag, bool Redelivered, IReadOnlyBasicProperties Properties, byte[] Body);

/// <summary>
/// Consumes one queue on a channel of its own: at most <c>prefetch</c> messages held, <c>concurrency</c> handled at
/// once. When the lifetime ends, it stops taking messages, lets the handlers in flight finish (they ack or nack on the
/// still open channel), and closes the channel; whatever is left unacknowledged goes back to the queue.
/// </summary>
internal static class QueueConsumer
{
    public static async Task<Task> StartAsync(IConnection connection, string queue, ushort prefetch, ushort concurrency,
        Func<IChannel, Delivery, CancellationToken, Task> handle, Action<Exception> onHandlerFailure, CancellationToken lifetime)
    {
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: concurrency), lifetime);
        await channel.BasicQosAsync(0, prefetch, global: false, lifetime);
        var consumer = new AsyncEventingBasicConsumer(channel);
        var inFlight = 0;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopping = 0;
        consumer.ReceivedAsync += async (_, e) =>
        {
            Interlocked.Increment(ref inFlight);
            try
            {
                await handle(channel, new Delivery(e.DeliveryTag, e.Redelivered, e.BasicProperties, e.Body.ToArray()), lifetime);
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or OperationCanceledException or IOException)
            {
                // The channel or connection went away: the message returns to the queue by itself.
            }
            catch (Exception ex)
            {
                onHandlerFailure(ex);
            }
            finally
            {
                if (Interlocked.Decrement(ref inFlight) == 0 && Volatile.Read(ref stopping) == 1)
                {
                    drained.TrySetResult();
                }
            }
        };
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: false, arguments: null, consumer, lifetime);
        return RunAsync();

        async Task RunAsync()
        {
            try
            {
                await Task.WhenAny(closed.Task, Task.Delay(Timeout.Infinite, lifetime));
                Volatile.Write(ref stopping, 1);
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

                if (Volatile.Read(ref inFlight) > 0)
                {
                    await drained.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
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
    }
}
