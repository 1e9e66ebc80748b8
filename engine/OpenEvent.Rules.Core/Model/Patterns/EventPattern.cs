using System.Collections.Immutable;
using System.Text.Json;

namespace OpenEvent.Rules.Model.Patterns;

// The parsed form of an EventBridge event pattern. Patterns mirror the nesting of the event:
// a PatternObject is an AND over its members; a leaf is an OR over its matchers; $or is an OR over
// whole pattern objects. Matching semantics are specified in policy-guide.md ("Matching semantics")
// and implemented twice: Evaluation/ReferencePatternEvaluator (the oracle) and the compiled matcher.

/// <summary>A pattern object: every member must match (AND).</summary>
public sealed record PatternObject(ImmutableArray<PatternMember> Members, SourceLocation Location);

public abstract record PatternMember(SourceLocation Location);

/// <summary><c>name: { ... }</c>: the event field <c>name</c> must be an object (or an array with an object) matching the nested pattern.</summary>
internal sealed record NestedMember(string Name, PatternObject Pattern, SourceLocation Location) : PatternMember(Location);

/// <summary><c>name: [ ... ]</c>: some value of the event field matches at least one matcher (OR).</summary>
internal sealed record LeafMember(string Name, ImmutableArray<Matcher> Matchers, SourceLocation Location) : PatternMember(Location);

/// <summary><c>$or: [ {...}, {...} ]</c>: at least one branch matches.</summary>
internal sealed record OrMember(ImmutableArray<PatternObject> Branches, SourceLocation Location) : PatternMember(Location);

/// <summary>
/// One entry of a leaf list: a leaf operator. Every operator is defined once, in its own file under Operators/: its
/// record overrides the members below (what it means for one value, its compiled test, its index key, its JSON text,
/// its type check) and carries the operator's key and how its operand is read. The layers reach an operator only
/// through these members, so a new operator is that one file plus its registration in the operator table.
/// </summary>
internal abstract record Matcher(SourceLocation Location)
{
    /// <summary>The operator name as written in patterns, for messages and explain output.</summary>
    public abstract string Operator { get; }

    // ---- Reference semantics (docs/matching-semantics.md, "Leaf operators") ------------------------------

    /// <summary>Whether <paramref name="value"/>, one leaf value of a field, satisfies this entry.</summary>
    internal abstract bool Matches(Scalar value);

    /// <summary>Whether this entry accepts a field with no leaf value (missing, an object, [] or objects only).</summary>
    internal virtual bool MatchesMissing => false;

    // ---- Compiled matcher ------------------------------------------------------------------------------

    /// <summary>The per-value test the compiled matcher runs (the same meaning as <see cref="Matches"/>), or null when no value satisfies this entry.</summary>
    internal abstract ValueTest? Compile();

    /// <summary>A key every value this entry accepts hits, for the candidate index; null when no key describes them.</summary>
    internal abstract IndexKey? ToIndexKey();

    /// <summary>
    /// Every key each value this entry accepts hits, <see cref="ToIndexKey"/> first; a set lists the entry under the one
    /// fewest of its patterns share (<see cref="IndexKeyChoice"/>). One key for most operators; none when no key
    /// describes the values.
    /// </summary>
    internal virtual IndexKey[] IndexKeyOptions() => ToIndexKey() is { } key ? [key] : [];

    /// <summary>Whether <see cref="IndexKeyOptions"/> may hold more than <see cref="ToIndexKey"/> (so a set asks, not assumes).</summary>
    internal virtual bool MayHaveSeveralKeys => false;

    /// <summary>
    /// Whether <see cref="ToIndexKey"/> is hit by a value exactly when the entry accepts it (not only when it may): the
    /// index then decides the entry alone. False unless the operator says so.
    /// </summary>
    internal virtual bool KeyIsExact => false;

    /// <summary>
    /// The test as plain data (<see cref="PlainTest"/>) when it has one, for the compiled matcher's contiguous
    /// verification blocks; null keeps <see cref="Compile"/>'s object (same meaning, more cache misses when cold).
    /// </summary>
    internal virtual PlainTest? ToPlainTest() => null;

    // ---- Formatting ------------------------------------------------------------------------------------

    /// <summary>Writes the entry as an author writes it: <c>{"operator": operand}</c>.</summary>
    internal virtual void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(Operator);
        WriteOperand(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes the operand as authored (the value of the operator's key).</summary>
    internal abstract void WriteOperand(Utf8JsonWriter writer);

    // ---- Validation ------------------------------------------------------------------------------------

    /// <summary>Why this entry can never match a field of the documented JSON types, or null when it can.</summary>
    internal abstract NeverMatch? NeverMatches(DocumentedField field);

    /// <summary>For an operator that selects strings by authored text: how messages name it and what to suggest from; null otherwise.</summary>
    internal virtual TextSelector? TextSelector => null;
}
