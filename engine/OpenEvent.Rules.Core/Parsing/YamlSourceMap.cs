namespace OpenEvent.Rules.Parsing;

/// <summary>How a scalar was written; templates use it to point inside the string.</summary>
internal enum ScalarQuoting
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// <summary>
/// The source text of a scalar that sits on one line (<see cref="Raw"/> includes the quotes), so that a
/// position inside the value can be mapped back to a column. Null raw text means "multi-line: use the start".
/// </summary>
internal sealed record ScalarSpan(ScalarQuoting Quoting, string? Raw)
{
    /// <summary>For block scalars (| and >): where the content starts (the line after the indicator, at its indentation).</summary>
    public SourceLocation? ContentStart { get; init; }
}

/// <summary>
/// The source map of one YAML document: JSON pointer → location of the node and of its key. Nodes copied by
/// an alias have no entries of their own and resolve to the alias (their nearest ancestor that has one).
/// </summary>
internal sealed class YamlSourceMap : ISourceMap
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public YamlSourceMap(string file, SourceLocation documentLocation)
    {
        File = file;
        DocumentLocation = documentLocation;
    }

    public string File { get; }

    /// <summary>Where the document starts (its first node, or the <c>---</c> marker).</summary>
    public SourceLocation DocumentLocation { get; }

    public SourceLocation Locate(string jsonPointer)
    {
        for (var pointer = jsonPointer; ; pointer = PointerDisplay.Parent(pointer))
        {
            if (_entries.TryGetValue(pointer, out var entry))
            {
                return entry.Value;
            }

            if (pointer.Length == 0)
            {
                return DocumentLocation;
            }
        }
    }

    public SourceLocation LocateKey(string jsonPointer) =>
        _entries.TryGetValue(jsonPointer, out var entry) && entry.Key is { } key ? key : Locate(jsonPointer);

    internal ScalarSpan? GetScalar(string jsonPointer) =>
        _entries.TryGetValue(jsonPointer, out var entry) ? entry.Scalar : null;

    internal void Add(string pointer, SourceLocation value, SourceLocation? key, ScalarSpan? scalar) =>
        _entries[pointer] = new Entry(value, key, scalar);

    /// <summary>Appends one RFC 6901 reference token ("~" → "~0", "/" → "~1").</summary>
    public static string Append(string pointer, string token) =>
        pointer + "/" + token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly record struct Entry(SourceLocation Value, SourceLocation? Key, ScalarSpan? Scalar);
}
