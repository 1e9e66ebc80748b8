using System.Text.Json;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The web console at /console: its page, script and stylesheet (embedded in this assembly: no build step, nothing from
/// another origin), and the JSON API its pages call under /console/api. Every route is behind <see cref="ConsoleGate"/>.
/// </summary>
internal static class ConsoleEndpoints
{
    /// <summary>The console's services; its decision feed observes the decision log.</summary>
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<DecisionFeed>();
        services.AddSingleton<IDecisionObserver>(sp => sp.GetRequiredService<DecisionFeed>());
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsoleOutbox>();
        services.AddSingleton<PolicyTestStatus>();
        services.AddSingleton<PlaygroundCompiles>();
    }

    public static void Map(WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/console"), console => console.UseMiddleware<ConsoleGate>());
        // Routing ignores a trailing slash: this serves /console and /console/.
        app.MapGet("/console", () => ConsoleAssets.Serve("index.html"));
        app.MapGet("/console/assets/{name}", (string name) => ConsoleAssets.Serve(name));
        app.MapGet("/console/api/session", Session);
        app.MapPost("/console/api/login", LoginAsync);
        app.MapPost("/console/api/logout", Logout);
        OverviewApi.Map(app);
        DecisionApi.Map(app);
        PlaygroundApi.Map(app);
        OutboxApi.Map(app);
    }

    /// <summary>
    /// Whether a login is needed and, for a caller with a session, its anti-forgery token. Without a token configured,
    /// a caller without a session gets one here (so that its POSTs can carry the anti-forgery token).
    /// </summary>
    private static IResult Session(HttpContext context, ConsoleSessions sessions)
    {
        var caller = ConsoleGate.Caller(context);
        var nonce = caller.Nonce;
        if (nonce is null && !sessions.TokenRequired)
        {
            var cookie = sessions.Issue();
            context.Response.Cookies.Append(ConsoleSessions.CookieName, cookie, sessions.CookieOptions(context.Request));
            nonce = sessions.Validate(cookie);
        }

        if (nonce is null && !caller.ByTokenHeader)
        {
            return Results.Json(new { authRequired = true, authenticated = false }, statusCode: StatusCodes.Status401Unauthorized);
        }

        return Results.Json(new { authRequired = sessions.TokenRequired, authenticated = true, csrf = nonce is null ? null : sessions.CsrfToken(nonce) });
    }

    private static async Task LoginAsync(HttpContext context, ConsoleSessions sessions)
    {
        if (!sessions.TokenRequired)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "no-token", "no token is configured: the console needs no login on loopback");
            return;
        }

        var address = context.Connection.RemoteIpAddress;
        if (sessions.LoginsBlocked(address))
        {
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "too-many-logins",
                $"too many failed logins this minute (at most {ConsoleSessions.MaxFailedLoginsPerMinute} from one address, {ConsoleSessions.MaxFailedLoginsPerMinuteHostWide} in all): wait a minute and try again");
            return;
        }

        if (await ReadTokenAsync(context.Request, context.RequestAborted) is not { } token || !sessions.IsToken(token))
        {
            sessions.LoginFailed(address);
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "the token is not the host's token");
            return;
        }

        var cookie = sessions.Issue();
        context.Response.Cookies.Append(ConsoleSessions.CookieName, cookie, sessions.CookieOptions(context.Request));
        await context.Response.WriteAsJsonAsync(new { authenticated = true, csrf = sessions.CsrfToken(sessions.Validate(cookie)!) }, context.RequestAborted);
    }

    /// <summary>
    /// The login form's body: {"token": "..."} (at most 4 KB, counted as it is read: a chunked body declares no length,
    /// and 8 MB of it were parsed before any login).
    /// </summary>
    private static async Task<string?> ReadTokenAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await ReadJsonAsync(request, 4096, cancellationToken);
        return body is not null && body.RootElement.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String
            ? token.GetString()
            : null;
    }

    private static IResult Logout(HttpContext context, ConsoleSessions sessions)
    {
        sessions.Revoke(context.Request.Cookies[ConsoleSessions.CookieName]);
        context.Response.Cookies.Append(ConsoleSessions.CookieName, "", sessions.CookieOptions(context.Request, expired: true));
        return Results.Json(new { authenticated = false });
    }

    /// <summary>Reads a small JSON body (the console's POSTs), or null when it is not a JSON object within <paramref name="maxBytes"/>.</summary>
    public static async Task<JsonDocument?> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes || request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }

        try
        {
            var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Answers a JSON body written by <paramref name="write"/>.</summary>
    public static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        write(json);
        await json.FlushAsync(context.RequestAborted);
    }
}
