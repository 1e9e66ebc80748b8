using System.Text.Json;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>RFC 9457 problem bodies (application/problem+json) with the stable error id of the failure.</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string id, string detail, Action<Utf8JsonWriter>? extra = null) =>
        JsonResponse.WriteAsync(context, status, "application/problem+json",
            json => Write(json, status, context.Request.Path.StartsWithSegments("/events"), id, detail, extra));

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
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Not ready",
        _ => "Request failed",
    };
}
