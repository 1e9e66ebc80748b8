using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Compilation.Conditions;


/// <summary>
/// One C# condition handed to the compiler. <paramref name="Key"/> identifies it to the caller (e.g. the
/// policy name) and must be unique in the set; <paramref name="Location"/> is where the YAML scalar starts.
/// </summary>
public sealed record ConditionSource(string Key, string Expression, SourceLocation Location)
{
    /// <summary>
    /// Where the first character of <see cref="Expression"/> is in the file. Defaults to <see cref="Location"/>
    /// (right for plain scalars); use <see cref="Quoted"/> or <see cref="Block"/> for the other styles.
    /// </summary>
    public SourceLocation ContentStart { get; init; } = Location;

    public ConditionTextStyle Style { get; init; } = ConditionTextStyle.Inline;

    /// <summary>The text between the quotes as written, for a one-line double-quoted scalar with escapes; null otherwise (see <see cref="ConditionDefinition.QuotedText"/>).</summary>
    public string? QuotedText { get; init; }

    /// <summary>A plain scalar: the text starts where the scalar starts.</summary>
    public static ConditionSource Plain(string key, string expression, SourceLocation location) => new(key, expression, location);

    /// <summary>A single-line quoted scalar: <paramref name="location"/> is the opening quote; the text starts one column later.</summary>
    public static ConditionSource Quoted(string key, string expression, SourceLocation location) =>
        new(key, expression, location) { ContentStart = location with { Column = location.Column + 1 } };

    /// <summary>
    /// A block scalar: <paramref name="location"/> is the <c>|</c> or <c>&gt;</c> indicator, <paramref name="contentStart"/>
    /// the first character of the first content line (next line, at the block indent).
    /// </summary>
    public static ConditionSource Block(string key, string expression, SourceLocation location, SourceLocation contentStart, bool folded) =>
        new(key, expression, location) { ContentStart = contentStart, Style = folded ? ConditionTextStyle.Folded : ConditionTextStyle.Literal };

    /// <summary>The file position of character <paramref name="offset"/> of <see cref="Expression"/> (clamped to the text).</summary>
    public SourceLocation Map(int offset) => ScalarText.Locate(Expression, offset, ContentStart, Style, QuotedText);
}
