using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>
/// When a token is configured, every request except the health probes must carry it, either in the header an
/// EventBridge HTTP target sends (x-eventbridge-signature-token by default) or as "Authorization: Bearer".
/// Compared in constant time. Others get 401. Without a token the host listens on loopback only, and answers only to
/// a loopback host name (localhost, 127.0.0.1, [::1]): a web page the developer opens can rebind its own name to
/// 127.0.0.1 (DNS rebinding) and would otherwise read the policy set and post events with same-origin requests.
/// The probes answer everyone, but only a caller that would pass here anyway (<see cref="IsTrusted"/>) sees more than
/// their status: /readyz gave anyone who could reach the port the policy revision and the names of unset secret variables.
/// </summary>
internal sealed class TokenAuthentication(RequestDelegate next, IOptions<RulesHostOptions> options, RulesMetrics metrics)
{
    /// <summary>The mark, in a probe request's items, of a caller that carried the token (or, without one, named a loopback host).</summary>
    private static readonly object s_trusted = new();

    private readonly byte[]? _token = string.IsNullOrEmpty(options.Value.Auth.Token) ? null : Encoding.UTF8.GetBytes(options.Value.Auth.Token);
    private readonly string _headerName = options.Value.Auth.HeaderName;
    private readonly bool _console = options.Value.Console.Enabled;

    /// <summary>Whether a probe's caller may see the details of its answer (set only on probe requests: no cost elsewhere).</summary>
    public static bool IsTrusted(HttpContext context) => context.Items.ContainsKey(s_trusted);

    // Not async: the request's task is the next step's (no state machine of its own per request).
    public Task InvokeAsync(HttpContext context)
    {
        // The web console checks its callers itself (a login cookie or this token; WebConsole.ConsoleGate): its page must load before a login.
        var probe = context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz");
        var trusted = _token is null
            ? ListenAddresses.IsLoopbackHost(context.Request.Host.Host)
            : Matches(context.Request.Headers[_headerName].ToString()) || Matches(BearerToken(context.Request.Headers.Authorization.ToString()));
        if (probe)
        {
            if (trusted)
            {
                context.Items[s_trusted] = s_trusted;
            }

            return next(context);
        }

        if (trusted || (_token is not null && _console && context.Request.Path.StartsWithSegments("/console")))
        {
            return next(context);
        }

        if (_token is null)
        {
            metrics.Rejected("host-not-allowed");
            return Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "host-not-allowed",
                "without a token the host answers only to a loopback host name (localhost, 127.0.0.1, [::1]); set a token (OpenEventRules:Auth:Token) to serve other names");
        }

        metrics.Rejected("unauthorized");
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized",
            $"send the configured token in the '{_headerName}' header or as 'Authorization: Bearer <token>'");
    }

    private bool Matches(string? presented) =>
        !string.IsNullOrEmpty(presented) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);

    private static string? BearerToken(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
}
