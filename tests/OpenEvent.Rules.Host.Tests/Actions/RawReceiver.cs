using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>One HTTP request as it was on the wire: request line, header lines in order, body.</summary>
internal sealed record RawRequest(string RequestLine, IReadOnlyList<(string Name, string Value)> Headers, string Body)
{
    public IEnumerable<string> Values(string name) => Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
}

/// <summary>
/// A plain TCP listener on 127.0.0.1 standing in for a receiver that parses HTTP/1.1 itself: it keeps the exact bytes
/// of every connection and splits them into requests the way a server would (header block up to the blank line, then
/// Content-Length bytes of body), answering each with 200 <c>{}</c> on the same connection. A header value carrying CR/LF
/// shows up here as an extra header line, or as a second request on the connection: what a receiver would act on.
/// </summary>
internal sealed class RawReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RawRequest> _requests = new();
    private readonly ConcurrentQueue<byte[]> _connections = new();
    private readonly Task _accepting;
    private int _accepted;

    public RawReceiver()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url(string pathAndQuery) => $"http://127.0.0.1:{Port}{pathAndQuery}";

    /// <summary>TCP connections accepted, whether or not they sent anything.</summary>
    public int Connections => Volatile.Read(ref _accepted);

    public IReadOnlyList<RawRequest> Requests => [.. _requests];

    /// <summary>Every byte received, connection after connection (Latin-1, so that each byte is one char).</summary>
    public string Wire => string.Concat(_connections.Select(Encoding.Latin1.GetString));

    private async Task AcceptAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                handlers.Add(HandleAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        await Task.WhenAll(handlers);
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var received = new MemoryStream();
        var pending = new List<byte>();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
                pending.AddRange(buffer.AsSpan(0, read));
                while (TryTakeRequest(pending, out var request))
                {
                    _requests.Enqueue(request);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"u8.ToArray(), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
        }
        finally
        {
            _connections.Enqueue(received.ToArray());
        }
    }

    private static bool TryTakeRequest(List<byte> pending, out RawRequest request)
    {
        request = null!;
        var text = Encoding.Latin1.GetString([.. pending]);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lines = text[..end].Split("\r\n");
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).Select(p => (p[0], p.Length > 1 ? p[1].Trim() : "")).ToList();
        var length = headers.Where(h => string.Equals(h.Item1, "Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h.Item2, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        if (text.Length < end + 4 + length)
        {
            return false;
        }

        var body = Encoding.UTF8.GetString([.. pending.Skip(end + 4).Take(length)]);
        pending.RemoveRange(0, end + 4 + length);
        request = new RawRequest(lines[0], headers, body);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
