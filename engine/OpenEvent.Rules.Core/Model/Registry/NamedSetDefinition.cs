using System.Collections.Immutable;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Model.Registry;

/// <summary>
/// A named list of values (data sources, CIDR ranges, operator groups, table prefixes, ...), written once in the
/// registry and referenced as <c>{ set: name }</c> wherever a list is written: as the operand of an exact value,
/// <c>anything-but</c>, <c>prefix</c>, <c>suffix</c> or <c>cidr</c> in a pattern, in a scope list, and in C# conditions
/// (<c>e.InSet("name", value)</c>). Values keep their YAML type (a number stays a number in patterns); scopes and
/// conditions compare their text.
/// </summary>
internal sealed record NamedSetDefinition(string Name, ImmutableArray<Scalar> Values, SourceLocation Location)
{
    public string? Description { get; init; }

    /// <summary>The values as text: a string as it is, a number as its literal (scopes compare ids as text).</summary>
    public IEnumerable<string> Texts => Values.Select(v => v.IsString ? v.Text! : v.ToString());
}
