using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>Where the host listens: the <c>urls</c> it passes to the server, the configuration values it rewrites, and the addresses in effect (for the log).</summary>
internal sealed record ListenPlan(IReadOnlyList<string> Urls, IReadOnlyDictionary<string, string?> Overrides, IReadOnlyList<string> Effective);

/// <summary>
/// Without a token nothing authenticates a request, so the host must not be reachable from the network. Addresses
/// come from several places (<c>urls</c> from --urls, ASPNETCORE_URLS or DOTNET_URLS; <c>http_ports</c>/<c>https_ports</c>
/// from ASPNETCORE_HTTP_PORTS and the like; <c>Kestrel:Endpoints:*:Url</c> from any configuration source; code), so
/// the rule is kept in three layers: every configured address is rewritten to loopback (<see cref="Plan"/>); Kestrel
/// refuses to bind any endpoint that is still not loopback (<see cref="RequireLoopback"/>, before the socket exists);
/// and once the server runs, its bound addresses are checked again (<see cref="LoopbackCheck"/>), so a source this
/// class does not know cannot slip through.
/// </summary>
internal static class ListenAddresses
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// The addresses to listen on: <c>urls</c> when set, else one wildcard address per port of <c>http_ports</c> and
    /// <c>https_ports</c> (as ASP.NET Core would), else <see cref="DefaultUrl"/>; loopback-only also rewrites
    /// <c>Kestrel:Endpoints:*:Url</c>, which Kestrel prefers to <c>urls</c>.
    /// </summary>
    public static ListenPlan Plan(IConfiguration configuration, bool loopbackOnly)
    {
        var urls = configuration["urls"] is { Length: > 0 } configured
            ? Split(configured)
            : [.. Ports(configuration, "http_ports", "http"), .. Ports(configuration, "https_ports", "https")];
        if (urls.Count == 0)
        {
            urls = [DefaultUrl];
        }

        foreach (var url in urls)
        {
            Check("urls", url);
        }

        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().ToList();
        foreach (var endpoint in endpoints)
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                Check(endpoint.Path + ":Url", url);
            }
        }

        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var rewritten = new List<string>();
        if (!loopbackOnly)
        {
            return new ListenPlan(urls, overrides, rewritten);
        }

        urls = [.. urls.Select(ToLoopback)];
        foreach (var endpoint in endpoints)
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                var loopback = ToLoopback(url);
                overrides[endpoint.Path + ":Url"] = loopback;
                rewritten.Add(loopback);
            }
        }

        // Kestrel listens on its configured endpoints instead of urls when it has any.
        return new ListenPlan(urls, overrides, rewritten.Count > 0 ? rewritten : urls);
    }

    /// <summary>
    /// Refuses an address that Kestrel would misread or fail on as it starts, naming the setting: a port past 65535 made
    /// the start end in an unhandled exception, and a port that is not a number ("http://127.0.0.1:abc") was read as part
    /// of the host name, so the host listened on the scheme's default port (80) instead.
    /// </summary>
    internal static void Check(string setting, string url)
    {
        // The setting's name and value are shown as excerpts: either may hold a line break or a megabyte.
        var named = $"{TextExcerpt.Of(setting, 120)} '{TextExcerpt.Of(url, 80)}'";
        BindingAddress parsed;
        try
        {
            parsed = BindingAddress.Parse(url.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{named} is not a URL: write it like http://127.0.0.1:8080.");
        }

        // A port that is not a number is left in the host; an IPv6 address keeps its colons inside brackets.
        var host = parsed.Host;
        var unreadPort = host.StartsWith('[') ? !host.EndsWith(']') : host.Contains(':', StringComparison.Ordinal);
        if (!parsed.IsUnixPipe && (unreadPort || parsed.Port is < 0 or > IPEndPoint.MaxPort))
        {
            throw new InvalidOperationException(
                $"{named} has no valid port: write it like http://127.0.0.1:8080, with a port from 0 to 65535 (0: any free port) and an IPv6 address in brackets (http://[::1]:8080).");
        }
    }

    /// <summary>Every address becomes 127.0.0.1 with its port, except loopback ones, localhost and Unix sockets.</summary>
    public static string ToLoopback(string url)
    {
        var parsed = BindingAddress.Parse(url.Trim());
        if (parsed.IsUnixPipe || IsLoopbackHost(parsed.Host))
        {
            return url.Trim();
        }

        return $"{parsed.Scheme}://127.0.0.1:{parsed.Port.ToString(CultureInfo.InvariantCulture)}{parsed.PathBase}";
    }

    /// <summary>Kestrel's endpoint defaults hook: runs for every endpoint (urls, configuration, code) before it is bound.</summary>
    public static void RequireLoopback(ListenOptions listen)
    {
        if (!IsLocal(listen.EndPoint))
        {
            throw new InvalidOperationException(NotLoopback(listen.EndPoint.ToString() ?? listen.GetType().Name));
        }
    }

    public static bool IsLocal(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        UnixDomainSocketEndPoint => true,
        _ => false,
    };

    internal static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    internal static string NotLoopback(string address) =>
        $"no token is configured (OpenEventRules:Auth:Token), so the host listens on loopback only, but {address} is not a loopback address: "
        + "set a token to accept events from the network, or listen on 127.0.0.1";

    private static List<string> Split(string urls) => [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static IEnumerable<string> Ports(IConfiguration configuration, string key, string scheme)
    {
        if (configuration[key] is not { Length: > 0 } ports)
        {
            yield break;
        }

        foreach (var port in Split(ports))
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > IPEndPoint.MaxPort)
            {
                throw new InvalidOperationException($"{key} '{ports}' is not a list of ports separated by ';' (e.g. 8080)");
            }

            yield return $"{scheme}://*:{number.ToString(CultureInfo.InvariantCulture)}";
        }
    }
}

/// <summary>
/// The last layer of the loopback rule: after the server has bound, its addresses are read back; one that is not
/// loopback stops the start (the host exits with the reason) rather than serve unauthenticated requests to the network.
/// </summary>
internal sealed class LoopbackCheck(IServer server) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var parsed = BindingAddress.Parse(address);
            if (!parsed.IsUnixPipe && !ListenAddresses.IsLoopbackHost(parsed.Host))
            {
                throw new InvalidOperationException(ListenAddresses.NotLoopback(address));
            }
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
