using System.Collections.Concurrent;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>
/// Says once that a sender sends Partial Events (data alone, which cannot be answered), and once per type that an
/// event's type is not in the DataWorks event catalog. Such an event is an extension point
/// only if it carries data.blockBusiness: true, and it is counted under type="unknown", so a sender's misspelt type, or
/// an event DataWorks added since the catalog, would otherwise pass unnoticed. Types are the sender's text: at most
/// <see cref="MaxTypes"/> are remembered (and reported), each shortened and escaped.
/// </summary>
internal sealed partial class UnknownTypeNotice(ILogger<UnknownTypeNotice> logger)
{
    public const int MaxTypes = 100;

    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);
    private int _partialReported;

    public void Seen(DataWorksEvent e)
    {
        if (e.IsPartial && Interlocked.Exchange(ref _partialReported, 1) == 0)
        {
            LogPartialEvent(logger, TextExcerpt.Of(e.Type, 200), e.Id);
        }

        if (e.CatalogEntry is not null || _reported.Count >= MaxTypes || !_reported.TryAdd(e.Type, 0))
        {
            return;
        }

        var closest = Suggestions.Closest(e.Type, EventCatalog.Default.EventTypes.Select(t => t.Type));
        LogUnknownType(logger, TextExcerpt.Of(e.Type, 200), e.Id, closest is null ? "" : $" Did you mean '{closest}'?");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "an EventBridge Partial Event (the event's data alone; first: {Type}, given the id {EventId}) arrived: it has no id DataWorks knows, so it is decided as a regular event and never answered. Set the EventBridge target's body to the Complete Event, or extension points sent this way wait for an answer that cannot come.")]
    private static partial void LogPartialEvent(ILogger logger, string type, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "events of type '{Type}' (first: {EventId}) are not in the DataWorks event catalog: they are decided by their data.blockBusiness (true: an extension point, answered with CallbackExtension; else a regular event, not answered).{DidYouMean}")]
    private static partial void LogUnknownType(ILogger logger, string type, string eventId, string didYouMean);
}
