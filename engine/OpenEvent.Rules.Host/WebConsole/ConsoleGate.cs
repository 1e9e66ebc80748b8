using OpenEvent.Rules.Host.Endpoints;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// Every request under /console passes here (the host's token check lets /console through to it). It sets the headers
/// that keep the pages inert (a strict Content-Security-Policy: scripts and styles from the host only, no inline code,
/// no framing), then (loopback host names only without a token: TokenAuthentication, for every route); with a token, the API needs a session (login) or the token header; a POST must come from the console's own
/// origin and, unless it carries the token header, with the session's anti-forgery token.
/// </summary>
internal sealed class ConsoleGate(RequestDelegate next, ConsoleSessions sessions)
{
    /// <summary>Only what the console's own files need; no inline script or style, no other origin.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.CacheControl = "no-store";

        var unsafeMethod = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
        if (unsafeMethod && !IsSameOrigin(request))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "cross-origin", "the console accepts changes only from its own pages");
            return;
        }

        var nonce = sessions.Validate(request.Cookies[ConsoleSessions.CookieName]);
        var byHeader = sessions.HasTokenHeader(request);
        context.Items[typeof(ConsoleGate)] = new ConsoleCaller(nonce, byHeader);
        if (!request.Path.StartsWithSegments("/console/api") || IsOpen(request))
        {
            await next(context);
            return;
        }

        if (sessions.TokenRequired && nonce is null && !byHeader)
        {
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized",
                "log in to the console with the host's token (or send it in the token header)");
            return;
        }

        if (unsafeMethod && !byHeader && (nonce is null || !sessions.IsCsrfToken(nonce, request.Headers[ConsoleSessions.CsrfHeader].ToString())))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "csrf",
                $"a change needs the console's anti-forgery token in the {ConsoleSessions.CsrfHeader} header; reload the page");
            return;
        }

        await next(context);
    }

    /// <summary>The caller as the gate saw it: its session nonce (null: none) and whether it sent the token header.</summary>
    internal sealed record ConsoleCaller(byte[]? Nonce, bool ByTokenHeader);

    public static ConsoleCaller Caller(HttpContext context) => (ConsoleCaller)context.Items[typeof(ConsoleGate)]!;

    /// <summary>The session endpoint (says whether a login is needed) and the login itself.</summary>
    private static bool IsOpen(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) && request.Path.Equals("/console/api/session", StringComparison.Ordinal))
        || (HttpMethods.IsPost(request.Method) && request.Path.Equals("/console/api/login", StringComparison.Ordinal));

    /// <summary>
    /// A browser says where a request comes from (Origin on every POST, Sec-Fetch-Site); either, when present, must be
    /// this host. A client that sends neither (curl with the token header) is not a browser another site drives.
    /// </summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
