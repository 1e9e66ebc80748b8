using System.Collections.Frozen;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// The top-level attributes a DataWorks event can carry: CloudEvents 1.0 plus the ones EventBridge adds
/// (reference section 1.1), and the one the Function Compute envelope keeps. Anything else at the top level of a pattern or template is most likely a typo.
/// </summary>
internal static class EnvelopeAttributes
{
    public static FrozenSet<string> Names { get; } = new[]
    {
        "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema", "data",
        "aliyunaccountid", "aliyunoriginalaccountid", "aliyunpublishtime", "aliyuneventbusname",
        "aliyunregionid", "aliyunpublishaddr",
        // The Function Compute envelope's eventCategoryType, kept on the CloudEvent it is rewritten as.
        "eventcategorytype",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The value every DataWorks event has in <c>source</c>.</summary>
    public const string DataWorksSource = "acs.dataworks";
}
