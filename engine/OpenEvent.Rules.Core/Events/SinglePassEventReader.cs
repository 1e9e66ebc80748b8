using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Events;

/// <summary>
/// Reads each event once from its UTF-8 bytes: the matcher's single pass (<see cref="ISinglePassMatcher"/>) validates
/// the bytes, matches every pattern and extracts the few envelope and scope fields the engine needs
/// (<see cref="FieldPaths"/>), so the event is known, checked and matched without building a document (which is
/// parsed later only if a matched policy's template or condition needs it). The older Function Compute envelope,
/// and the Partial Event (data alone), which must be rewritten first, go through <see cref="EventParser"/>.
/// </summary>
internal sealed class SinglePassEventReader
{
    private static readonly string[] EnvelopePaths =
        ["specversion", "id", "type", "source", "messageId", "eventCode", "data", "data_base64", "data.blockBusiness", "aliyunregionid", "aliyunaccountid", "time"];

    private readonly EventParser _parser;
    private readonly ISinglePassMatcher _matcher;
    private readonly int _maxEventBytes;

    public SinglePassEventReader(EventParser parser, ISinglePassMatcher matcher, int maxEventBytes)
    {
        _parser = parser;
        _matcher = matcher;
        _maxEventBytes = maxEventBytes;
    }

    /// <summary>The paths the engine reads itself: envelope attributes, the FC envelope marker, and every scope field.</summary>
    /// <param name="readsTime">The set has time windows: an event without <c>time</c> is placed by <c>aliyunpublishtime</c>, read then only.</param>
    public static IEnumerable<string> FieldPaths(EventCatalog catalog, bool readsTime = false) =>
        EnvelopePaths
            .Concat(readsTime ? ["aliyunpublishtime"] : [])
            .Concat(EventParser.UnknownTenantPaths)
            .Concat(EventParser.UnknownWorkspacePaths)
            .Concat(EventParser.UnknownOperatorPaths)
            .Concat(catalog.EventTypes.SelectMany(t => t.Scope.Values).SelectMany(s => s.Paths))
            .Distinct(StringComparer.Ordinal);

    public DataWorksEvent? TryRead(EventSlice slice, out EventError? error)
    {
        error = slice.Error;
        if (error is not null)
        {
            return null;
        }

        try
        {
            EventParser.CheckSize(slice.Utf8.Length, _maxEventBytes);
            IEventFields fields;
            ReadOnlySpan<int> matched;
            try
            {
                fields = _matcher.Read(slice.Utf8.Span, out matched);
            }
            catch (InvalidEventException rejected)
            {
                // Bad bytes are rare: let the parser describe them (it names offsets and positions), keeping this
                // verdict if the parser would accept what the single pass refuses (e.g. an escaped lone surrogate).
                using var parsed = _parser.TryParse(slice, out error);
                error ??= rejected.ToError();
                return null;
            }

            if (fields.At("specversion") is null && (fields.At("messageId") is not null || (fields.At("eventCode") is not null && fields.At("type") is null)))
            {
                // The Function Compute envelope and the Partial Event are rewritten first.
                return _parser.TryParse(slice, out error);
            }

            EventParser.CheckCloudEvent(fields);
            var type = fields.At("type")!.Value.Text!;
            var entry = _parser.Catalog.FindByType(type);
            return new DataWorksEvent(slice.Utf8, slice.Origin, fields.At("id")!.Value.Text!, type,
                fields.At("source") is { IsString: true } source ? source.Text : null,
                entry, EventParser.IsExtensionPoint(entry, fields), _parser.Resolve(entry, fields), EventParser.BlockBusiness(fields), _matcher, matched.ToArray());
        }
        catch (InvalidEventException ex)
        {
            error = ex.ToError();
            return null;
        }
    }
}
