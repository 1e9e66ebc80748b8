using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Turns a schema-valid <c>kind: Waiver</c> document into a <see cref="WaiverDefinition"/>. The schema has checked keys
/// and types; this adds what it leaves to the waiver's own diagnostics: an owner, a ticket, a reason and an expiry are
/// required (OER3103, one diagnostic naming every missing key), the expiry is a date or a date and time with an offset
/// (OER3104), and the scope and match are read as a policy's are (registry names, sets and selectors expanded). Whether
/// the policies named exist is the set's concern (<c>Validation.WaiverValidator</c>).
/// </summary>
internal static partial class WaiverParser
{
    private static readonly string[] s_required = ["owner", "ticket", "reason", "expires"];

    /// <summary>Reads one document; null when it has an error (every problem is reported).</summary>
    public static WaiverDefinition? Parse(SourceDocument document, DiagnosticBag diagnostics, RegistryDefinition registry)
    {
        var bag = new DiagnosticBag();
        var map = document.Map;
        var root = (JsonObject)document.Root!;
        var spec = (JsonObject)root["spec"]!;
        var name = Text(root["metadata"]!["name"])!;
        var location = map.Locate("/metadata/name");

        var missing = s_required.Where(key => string.IsNullOrWhiteSpace(Text(spec[key]))).ToList();
        if (missing.Count > 0)
        {
            bag.Error(DiagnosticIds.WaiverIncomplete, map.LocateKey("/spec"),
                $"waiver '{name}' has no {string.Join(", ", missing.Select(k => $"'{k}'"))}: a waiver needs an owner, a ticket, a reason and an expiry",
                "add " + string.Join(", ", missing.Select(Example)) + "; an exception nobody answers for, or that never ends, is not accepted");
        }

        var expires = Text(spec["expires"]) is { Length: > 0 } text ? ParseExpiry(text, map.Locate("/spec/expires"), bag) : null;
        var policies = (JsonArray)spec["policies"]!;
        var scope = spec["scope"] is JsonObject scopeNode ? RegistryReferences.ParseScope(scopeNode, "/spec/scope", map, registry, bag) : null;
        var match = spec["match"] is { } matchNode ? ParseMatch(matchNode, map, registry, bag) : null;

        diagnostics.AddRange(bag.Items);
        if (bag.HasErrors || expires is null)
        {
            return null;
        }

        return new WaiverDefinition(name, [.. policies.Select(p => Text(p)!)], Text(spec["owner"])!, Text(spec["ticket"])!, Text(spec["reason"])!, expires, location)
        {
            Scope = scope,
            Match = match,
            PolicyLocations = [.. Enumerable.Range(0, policies.Count).Select(i => map.Locate(YamlSourceMap.Append("/spec/policies", i)))],
        };
    }

    /// <summary>
    /// A date lasts to the end of that day in UTC (a waiver written for "until the 31st" still holds on the 31st,
    /// wherever its reader is); a date and time must carry its offset, since "18:00" means a different instant in
    /// Hangzhou and in Frankfurt.
    /// </summary>
    internal static WaiverExpiry? ParseExpiry(string text, SourceLocation location, DiagnosticBag diagnostics)
    {
        var trimmed = text.Trim();
        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            // The last day a date can hold has no next midnight: it ends at the last instant there is.
            var end = date == DateOnly.MaxValue ? DateTimeOffset.MaxValue : new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1);
            return new WaiverExpiry(trimmed, end, location);
        }

        if (DateTimeWithOffset().IsMatch(trimmed)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return new WaiverExpiry(trimmed, instant, location);
        }

        var hint = DateTimeWithoutOffset().IsMatch(trimmed)
            ? $"add the offset, e.g. {trimmed}Z (UTC) or {trimmed}+08:00 (Beijing time): a time without one names a different instant in each time zone"
            : "write a date, e.g. 2026-12-31 (the waiver holds to the end of that day, UTC), or a date and time with its offset, e.g. 2026-12-31T18:00:00+08:00";
        diagnostics.Error(DiagnosticIds.WaiverExpiryFormat, location, $"invalid expiry '{TextExcerpt.Of(trimmed)}'", hint);
        return null;
    }

    private static PatternObject? ParseMatch(JsonNode node, YamlSourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics)
    {
        if (node is JsonObject obj && obj.ContainsKey("detail"))
        {
            // A waiver is decided on the event alone: it never asks DataWorks for the detail.
            diagnostics.Error(DiagnosticIds.UnknownKey, map.LocateKey("/spec/match/detail"), "a waiver's match cannot read the event's detail",
                "match on the event's own fields (data.fileName, data.projectId, ...); narrow the waiver with scope: and match:");
            return null;
        }

        return NamedSetExpander.TryExpand(node, "/spec/match", map, registry, diagnostics, out var expanded, out var expandedMap)
            ? PatternParser.Parse(expanded, "/spec/match", expandedMap, diagnostics)
            : null;
    }

    private static string Example(string key) => key switch
    {
        "owner" => "owner: the team or person answering for it",
        "ticket" => "ticket: the change or risk ticket, e.g. GOV-123",
        "reason" => "reason: why the policy does not fit these events",
        _ => "expires: 2026-12-31",
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeWithOffset();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")]
    private static partial Regex DateTimeWithoutOffset();
}
