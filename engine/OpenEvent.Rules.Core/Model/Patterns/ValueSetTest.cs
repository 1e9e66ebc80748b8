namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// A long list of exact (or ignore-case) values as one test (anything-but's excluded values): the value is looked up, not compared with
/// each entry. A registry set of 5,000 users expands to 5,000 entries; entry by entry that cost 39 µs per event for one
/// such policy. (A leaf's own long lists go through the index's tables: Compilation's KeyedLeafCheck.) Strings are
/// compared ordinally, numbers by value (300 = 3e2, as <see cref="JsonNumber"/> equals and hashes them).
/// </summary>
internal sealed class ValueSetTest : ValueTest
{
    /// <summary>The fewest exact values a leaf gathers into one set; fewer are compared in turn (cheaper than a hash).</summary>
    public const int Minimum = 16;

    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _stringLookup;
    private readonly HashSet<JsonNumber> _numbers = [];
    private readonly bool _true;
    private readonly bool _false;
    private readonly bool _null;

    private readonly bool _foldsCase;

    /// <summary>
    /// An <c>equals-ignore-case</c> list as one set: the case-folded strings (<see cref="MatcherSemantics.FoldCase(string)"/>),
    /// looked up by the value's folded text.
    /// </summary>
    public static ValueSetTest IgnoringCase(IEnumerable<string> values) => new(values.Select(v => Scalar.FromString(MatcherSemantics.FoldCase(v))), foldsCase: true);

    public override bool FoldsCase => _foldsCase;

    public ValueSetTest(IEnumerable<Scalar> values, bool foldsCase = false)
    {
        _foldsCase = foldsCase;
        foreach (var value in values)
        {
            switch (value.Kind)
            {
                case ScalarKind.String:
                    _strings.Add(value.Text!);
                    break;
                case ScalarKind.Number:
                    _numbers.Add(value.Number);
                    break;
                case ScalarKind.True:
                    _true = true;
                    break;
                case ScalarKind.False:
                    _false = true;
                    break;
                default:
                    _null = true;
                    break;
            }
        }

        _stringLookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override bool Test(in LeafValue value) => value.Kind switch
    {
        ScalarKind.String => _stringLookup.Contains(_foldsCase ? value.FoldedText : value.Text),
        ScalarKind.Number => !_foldsCase && _numbers.Contains(value.Number),
        ScalarKind.True => !_foldsCase && _true,
        ScalarKind.False => !_foldsCase && _false,
        _ => !_foldsCase && _null,
    };
}
