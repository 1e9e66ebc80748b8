namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// A parsed wildcard: literal segments separated by unescaped <c>*</c>. <c>\*</c> is a literal star, <c>\\</c> a literal
/// backslash; any other backslash is itself literal (the parser rejects such patterns; being lenient here keeps the
/// matcher total).
/// </summary>
internal sealed class WildcardPattern
{
    private readonly string[] _segments;

    private WildcardPattern(string[] segments) => _segments = segments;

    /// <summary>True when the pattern has no star: it is then an exact string (<see cref="Literal"/>).</summary>
    public bool IsLiteral => _segments.Length == 1;

    public string Literal => _segments[0];

    /// <summary>The literal segments between stars, in order (one more than the stars).</summary>
    public IReadOnlyList<string> Segments => _segments;

    /// <summary>The literal text before the first star ("" when the pattern starts with a star).</summary>
    public string LeadingLiteral => _segments[0];

    /// <summary>The literal text after the last star ("" when the pattern ends with a star).</summary>
    public string TrailingLiteral => _segments[^1];

    /// <summary>
    /// The pattern parsed once per text: an entry is asked for its key, its keys, its test and its plain form as a set is
    /// built (each a parse with its lists and strings: 10 policies of 3,000 wildcards allocated 190 MB), and the reference
    /// evaluator matches with it per value. Kept by the string instance the entry holds, and collected with it.
    /// </summary>
    public static WildcardPattern Parse(string pattern) => s_parsed.GetValue(pattern, static text => ParseText(text));

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, WildcardPattern> s_parsed = new();

    private static WildcardPattern ParseText(string pattern)
    {
        var segments = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '*' or '\\')
            {
                current.Append(pattern[++i]);
            }
            else if (c == '*')
            {
                segments.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        segments.Add(current.ToString());
        return new WildcardPattern([.. segments]);
    }

    public bool IsMatch(ReadOnlySpan<char> value) => IsMatch(value, new ArraySegments(_segments));

    // Star-only globs need no backtracking: the first segment anchors the start, the last the end, and each middle
    // segment is best taken at its leftmost occurrence (leaving the most room for the rest). Generic over where the
    // segments are kept: this pattern's strings, or the compiled matcher's shared char arena (PatternPrograms).
    public static bool IsMatch<TSegments>(ReadOnlySpan<char> value, TSegments segments)
        where TSegments : ISegments, allows ref struct
    {
        var first = segments[0];
        if (segments.Count == 1)
        {
            return value.SequenceEqual(first);
        }

        var last = segments[segments.Count - 1];
        if (value.Length < first.Length + last.Length
            || !value.StartsWith(first, StringComparison.Ordinal)
            || !value.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }

        var middle = value[first.Length..(value.Length - last.Length)];
        for (var i = 1; i < segments.Count - 1; i++)
        {
            var segment = segments[i];
            var at = middle.IndexOf(segment, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            middle = middle[(at + segment.Length)..];
        }

        return true;
    }

    /// <summary>The literal segments of a glob, one more than its stars, wherever they are stored.</summary>
    internal interface ISegments
    {
        int Count { get; }

        ReadOnlySpan<char> this[int index] { get; }
    }

    private readonly struct ArraySegments(string[] segments) : ISegments
    {
        public int Count => segments.Length;

        public ReadOnlySpan<char> this[int index] => segments[index];
    }
}
