using System.Collections.Concurrent;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// Says in the host log that requests are refused (401, 400, 415...), at most once a minute per error id, with how many
/// were refused since: a sender with the wrong token or content type otherwise looks like a host that receives nothing
/// (the refusals were only counted in oer_events_rejected_total). The first refusal of an id is logged at once.
/// </summary>
internal sealed partial class RefusedRequestLog(TimeProvider time, ILogger<RefusedRequestLog> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Per error id (the host's own, a bounded set): refusals not yet logged, and when the next line may be written.</summary>
    private sealed class Slot
    {
        public long Pending;
        public DateTimeOffset Next;
    }

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    public void Refused(HttpContext context, int status, string errorId, string detail)
    {
        var slot = _slots.GetOrAdd(errorId, _ => new Slot());
        long count;
        lock (slot)
        {
            slot.Pending++;
            var now = time.GetUtcNow();
            if (now < slot.Next)
            {
                return;
            }

            count = slot.Pending;
            slot.Pending = 0;
            slot.Next = now + Interval;
        }

        LogRefused(logger, status, errorId, context.Request.Method, TextExcerpt.Of(context.Request.Path.Value ?? "", 100),
            context.Connection.RemoteIpAddress?.ToString() ?? "?", TextExcerpt.Of(detail, 300), count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused {Status} {ErrorId}: {Method} {Path} from {Remote}: {Detail} ({Count} refused with {ErrorId} since the last such line; at most one line a minute per id)")]
    private static partial void LogRefused(ILogger logger, int status, string errorId, string method, string path, string remote, string detail, long count);
}
