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
    // Filled once the document is read (see Fill), at its exact size: a policy's map has some thirty entries, and every
    // entry stays alive as long as the document; locations keep only their line and column (the file is the map's).
    private Dictionary<string, Entry> _entries = s_none;

    private static readonly Dictionary<string, Entry> s_none = new(StringComparer.Ordinal);

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
                return new SourceLocation(File, entry.Line, entry.Column);
            }

            if (pointer.Length == 0)
            {
                return DocumentLocation;
            }
        }
    }

    public SourceLocation LocateKey(string jsonPointer) =>
        _entries.TryGetValue(jsonPointer, out var entry) && entry.KeyLine > 0 ? new SourceLocation(File, entry.KeyLine, entry.KeyColumn) : Locate(jsonPointer);

    internal ScalarSpan? GetScalar(string jsonPointer) =>
        _entries.TryGetValue(jsonPointer, out var entry) ? entry.Scalar : null;

    /// <summary>The document's entries, in the order its nodes were read (a later entry for the same pointer wins).</summary>
    internal void Fill(List<PendingEntry> entries)
    {
        var filled = new Dictionary<string, Entry>(entries.Count, StringComparer.Ordinal);
        foreach (var (pointer, value, key, scalar) in entries)
        {
            filled[pointer] = new Entry(value.Line, value.Column, key?.Line ?? 0, key?.Column ?? 0, scalar);
        }

        _entries = filled;
    }

    /// <summary>Appends one RFC 6901 reference token ("~" → "~0", "/" → "~1").</summary>
    public static string Append(string pointer, string token) =>
        pointer + "/" + JsonPointer.Escape(token);

    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An entry while its document is read: the node's location, its key's (for mapping values), its scalar.</summary>
    internal readonly record struct PendingEntry(string Pointer, SourceLocation Value, SourceLocation? Key, ScalarSpan? Scalar);

    /// <summary>A key line of 0: no key (lines start at 1).</summary>
    private readonly record struct Entry(int Line, int Column, int KeyLine, int KeyColumn, ScalarSpan? Scalar);
}
