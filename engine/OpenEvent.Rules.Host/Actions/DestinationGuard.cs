using System.Net;
using System.Net.Sockets;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Where channels and targets may connect: never a link-local address (169.254.0.0/16, fe80::/10, where clouds serve
/// instance metadata and credentials) nor Alibaba Cloud's metadata service (100.100.100.200). A channel's URL is the
/// policy author's to write, and an error's text (the receiver's answer) is shown in the outbox: a policy must not turn
/// the host into a reader of its own machine's credentials. The addresses are checked once resolved, at connect, so a
/// name that resolves there is refused too. Loopback stays allowed (a sidecar on the same machine is a common receiver).
/// </summary>
internal static class DestinationGuard
{
    private static readonly IPAddress s_alibabaMetadata = IPAddress.Parse("100.100.100.200");

    /// <summary>The actions' connect step (<see cref="SocketsHttpHandler.ConnectCallback"/>).</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var allowed = Allowed(endpoint.Host, IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The check for a request a proxy carries (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY): the connect step then sees only the
    /// proxy's address, so the request's own host is checked before it is handed over. A literal address, and a name
    /// that resolves here to a forbidden one, are refused; a name the host cannot resolve itself is left to the proxy
    /// (behind a proxy, outside names often resolve only there).
    /// </summary>
    public static async ValueTask CheckProxiedAsync(Uri uri, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
            }
            catch (SocketException)
            {
                return;
            }
        }

        Allowed(uri.IdnHost, addresses);
    }

    private static IPAddress[] Allowed(string host, IPAddress[] addresses)
    {
        var allowed = addresses.Where(a => !IsForbidden(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new ForbiddenDestinationException(
                $"{host.Trim('[', ']')} is {(addresses.Length == 0 ? "no address" : addresses[0].ToString())}: actions are never sent to link-local or cloud metadata addresses");
        }

        return allowed;
    }

    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal;
        }

        var bytes = address.GetAddressBytes();
        return (bytes[0] == 169 && bytes[1] == 254) || address.Equals(s_alibabaMetadata);
    }
}

/// <summary>A channel or target whose URL leads to an address actions are never sent to: dead-lettered at once, not retried.</summary>
internal sealed class ForbiddenDestinationException(string message) : Exception(message);

/// <summary>
/// Applies <see cref="DestinationGuard.CheckProxiedAsync"/> to the requests the system proxy carries (the handler's
/// <c>UseProxy</c> is left on: a host behind a corporate proxy must still reach its receivers and DataWorks).
/// </summary>
internal sealed class ProxiedDestinationGuard(IWebProxy? proxy = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var systemProxy = proxy ?? HttpClient.DefaultProxy;
        if (request.RequestUri is { } uri && !systemProxy.IsBypassed(uri) && systemProxy.GetProxy(uri) is not null)
        {
            await DestinationGuard.CheckProxiedAsync(uri, cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
