using System.Text.Json;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>RFC 9457 problem bodies (application/problem+json) with the stable error id of the failure.</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string id, string detail, Action<Utf8JsonWriter>? extra = null)
    {
        if (status is >= 400 and < 500)
        {
            context.RequestServices.GetService<RefusedRequestLog>()?.Refused(context, status, id, detail);
        }

        return JsonResponse.WriteAsync(context, status, "application/problem+json",
            json => Write(json, status, context.Request.Path.StartsWithSegments("/events"), id, detail, extra));
    }

    /// <summary>The routes a caller may mean, for a did-you-mean on a 404.</summary>
    private static readonly string[] s_routes = ["/events", "/evaluate", "/policies", "/outbox", "/healthz", "/readyz", "/metrics", "/console"];

    /// <summary>A problem body for what routing would answer with a bare status: 404 (a path the host does not serve, e.g. POST /event) and 405 (GET /events).</summary>
    public static Task WriteStatusAsync(HttpContext context, int status)
    {
        var path = context.Request.Path.Value ?? "";
        return status switch
        {
            StatusCodes.Status404NotFound => WriteAsync(context, 404, "not-found",
                $"the host does not serve {TextExcerpt.Of(path, 100)}"
                + (Suggestions.Closest(path, s_routes) is { } near ? $"; did you mean {near}?" : $"; it serves {string.Join(", ", s_routes)}")),
            StatusCodes.Status405MethodNotAllowed => WriteAsync(context, 405, "method-not-allowed",
                $"{TextExcerpt.Of(context.Request.Method, 20)} is not served at {TextExcerpt.Of(path, 100)}"
                + (path.StartsWith("/events", StringComparison.Ordinal) || path.StartsWith("/evaluate", StringComparison.Ordinal) ? "; send events with POST" : "")),
            _ => Task.CompletedTask,
        };
    }

    private static void Write(Utf8JsonWriter json, int status, bool eventRoute, string id, string detail, Action<Utf8JsonWriter>? extra)
    {
        json.WriteStartObject();
        json.WriteString("type", "https://github.com/openevent-rules/openevent-rules/blob/main/README.md#errors");
        json.WriteString("title", Title(status, eventRoute));
        json.WriteNumber("status", status);
        json.WriteString("errorId", id);
        json.WriteString("detail", detail);
        extra?.Invoke(json);
        json.WriteEndObject();
    }

    private static string Title(int status, bool eventRoute) => status switch
    {
        400 => eventRoute ? "Invalid event" : "Invalid request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Not ready",
        _ => "Request failed",
    };
}
