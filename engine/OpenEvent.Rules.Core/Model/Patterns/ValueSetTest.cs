namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// A long list of exact values as one test (anything-but's excluded values): the value is looked up, not compared with
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

    public ValueSetTest(IEnumerable<Scalar> values)
    {
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
        ScalarKind.String => _stringLookup.Contains(value.Text),
        ScalarKind.Number => _numbers.Contains(value.Number),
        ScalarKind.True => _true,
        ScalarKind.False => _false,
        _ => _null,
    };
}
