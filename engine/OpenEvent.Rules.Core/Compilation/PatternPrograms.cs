using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// Every pattern's verification as contiguous data: one <c>int</c> block per pattern in a single code array, with the
/// members, their tests and the expected numbers inline and the expected strings in one shared, deduplicated char
/// arena. At 10,000 patterns a candidate is cold: walking an object graph (pattern, member array, member, test array,
/// test, expected string) cost about ten dependent cache misses per candidate; a block costs one or two, and the
/// strings many patterns share (event types) stay cached. $or branches are bodies of the block too. Members no block
/// entry expresses (anything-but, ignore-case, exists, cidr...) keep their compiled object (<see cref="CompiledMember"/>)
/// and are called from the block, with the same answer as before.
/// </summary>
/// <remarks>
/// Layout of a pattern's block (ints): <c>[id, bodyLength, body]</c>. A body is a sequence of members, cheap first:
/// <c>[Leaf, childIndex, entriesLength, entries]</c>, <c>[Nested, childIndex, bodyLength, body]</c>,
/// <c>[Or, length, branches]</c> (each branch <c>[bodyLength, body]</c>, over the same object) or
/// <c>[Fallback, index]</c>. An entry is <c>[kind, payloadLength, payload]</c>: a string's arena start and length, a
/// <see cref="JsonNumber"/>'s bytes, numeric's comparisons (each an operator and a number's bytes), or a
/// <see cref="ScalarKind"/>.
/// </remarks>
internal sealed class PatternPrograms
{
    internal const int Leaf = 1;
    internal const int Nested = 2;
    internal const int Fallback = 3;
    internal const int Or = 4;

    internal const int ExactString = 1;
    internal const int Prefix = 2;
    internal const int Suffix = 3;
    internal const int ExactNumber = 4;
    internal const int ExactKind = 5;
    internal const int Wildcard = 6;
    internal const int Numeric = 7;

    internal static readonly int NumberInts = (Unsafe.SizeOf<JsonNumber>() + sizeof(int) - 1) / sizeof(int);

    // One comparison of a numeric entry: its operator, its bound's double (two ints) and its bound (NumberInts).
    internal static readonly int ComparisonInts = 3 + NumberInts;

    private readonly int[] _code;
    private readonly char[] _chars;
    private readonly CompiledMember[] _fallbacks;
    private readonly int[] _starts;

    internal PatternPrograms(int[] code, char[] chars, CompiledMember[] fallbacks, int[] starts)
    {
        _code = code;
        _chars = chars;
        _fallbacks = fallbacks;
        _starts = starts;
    }

    public int PatternCount => _starts.Length;

    /// <summary>Where pattern <paramref name="id"/>'s block starts (what the candidate index lists).</summary>
    public int StartOf(int id) => _starts[id];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IdAt(int start) => _code[start];

    /// <summary>The exact answer of the pattern whose block starts at <paramref name="start"/>, over the root instance.</summary>
    public bool Matches(EventView view, int start) => MatchesBody(view, start + 2, start + 2 + _code[start + 1], 0);

    // `instance` is an object instance of the body's path node, or -1 for "the empty object": a nested pattern where
    // the event has no object (missing, null, scalar or object-less array) is matched against the empty object.
    private bool MatchesBody(EventView view, int at, int end, int instance)
    {
        var code = _code;
        while (at < end)
        {
            switch (code[at])
            {
                case Leaf:
                    if (!MatchesLeaf(view, at, instance))
                    {
                        return false;
                    }

                    at += 3 + code[at + 2];
                    break;
                case Nested:
                    if (!MatchesNested(view, at, instance))
                    {
                        return false;
                    }

                    at += 3 + code[at + 2];
                    break;
                case Or:
                    if (!MatchesAnyBranch(view, at, instance))
                    {
                        return false;
                    }

                    at += 2 + code[at + 1];
                    break;
                default:
                    if (!_fallbacks[code[at + 1]].Matches(view, instance))
                    {
                        return false;
                    }

                    at += 2;
                    break;
            }
        }

        return true;
    }

    // [Or, length, branches], each branch [bodyLength, body] over the same object instance: some branch matches.
    private bool MatchesAnyBranch(EventView view, int at, int instance)
    {
        var end = at + 2 + _code[at + 1];
        for (var branch = at + 2; branch < end; branch += 1 + _code[branch])
        {
            if (MatchesBody(view, branch + 1, branch + 1 + _code[branch], instance))
            {
                return true;
            }
        }

        return false;
    }

    // As LeafCheck for entries that never accept a missing field: some value passes some entry.
    private bool MatchesLeaf(EventView view, int at, int instance)
    {
        var entries = at + 3;
        var end = entries + _code[at + 2];
        for (var v = view.FirstLeaf(instance, _code[at + 1]); v >= 0; v = view.Values[v].NextInSlot)
        {
            for (var e = entries; e < end; e += 2 + _code[e + 1])
            {
                if (Passes(view, v, e))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool Passes(EventView view, int v, int e)
    {
        ref var record = ref view.Values[v];
        var code = _code;
        switch (code[e])
        {
            case ExactString:
                return record.Kind == ScalarKind.String && view.Text(v).SequenceEqual(_chars.AsSpan(code[e + 2], code[e + 3]));
            case Prefix:
                return record.Kind == ScalarKind.String && view.Text(v).StartsWith(_chars.AsSpan(code[e + 2], code[e + 3]), StringComparison.Ordinal);
            case Suffix:
                return record.Kind == ScalarKind.String && view.Text(v).EndsWith(_chars.AsSpan(code[e + 2], code[e + 3]), StringComparison.Ordinal);
            case ExactNumber:
                return record.Kind == ScalarKind.Number
                    && record.Number.Equals(MemoryMarshal.Read<JsonNumber>(MemoryMarshal.AsBytes(code.AsSpan(e + 2, NumberInts))));
            case Wildcard:
                return record.Kind == ScalarKind.String && WildcardMatches(view.Text(v), e + 2, e + 2 + code[e + 1]);
            case Numeric:
                return record.Kind == ScalarKind.Number && SatisfiesAll(record.Number, e + 2, e + 2 + code[e + 1]);
            default:
                return record.Kind == (ScalarKind)code[e + 2];
        }
    }

    // The comparisons at [at, end), each [operator, the bound's double as two ints, the bound's ints]: all hold for the
    // value. Doubles that differ order their numbers (see JsonNumber.CompareTo), so the whole number is read only when
    // the doubles are equal: copying it and comparing through JsonNumber took 40 % of a range-heavy set's time.
    private bool SatisfiesAll(JsonNumber value, int at, int end)
    {
        var number = value.AsDouble;
        for (; at < end; at += ComparisonInts)
        {
            var bound = BitConverter.Int64BitsToDouble(MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(_code.AsSpan(at + 1, 2))));
            var order = number < bound ? -1 : number > bound ? 1
                : value.CompareTo(MemoryMarshal.Read<JsonNumber>(MemoryMarshal.AsBytes(_code.AsSpan(at + 3, NumberInts))));
            if (!NumericComparison.Holds((NumericOperator)_code[at], order))
            {
                return false;
            }
        }

        return true;
    }

    // The glob's segments as (start, length) pairs of the arena at [at, end), at least two (one star).
    private bool WildcardMatches(ReadOnlySpan<char> value, int at, int end) =>
        WildcardPattern.IsMatch(value, new ArenaSegments(_code.AsSpan(at, end - at), _chars));

    private readonly ref struct ArenaSegments(ReadOnlySpan<int> pairs, char[] chars) : WildcardPattern.ISegments
    {
        private readonly ReadOnlySpan<int> _pairs = pairs;

        public int Count => _pairs.Length / 2;

        public ReadOnlySpan<char> this[int index] => chars.AsSpan(_pairs[2 * index], _pairs[(2 * index) + 1]);
    }

    // As NestedCheck: some object element matches the body; with no object there, the empty object must.
    private bool MatchesNested(EventView view, int at, int instance)
    {
        var body = at + 3;
        var end = body + _code[at + 2];
        var child = view.FirstChildInstance(instance, _code[at + 1]);
        if (child < 0)
        {
            return MatchesBody(view, body, end, -1);
        }

        for (; child >= 0; child = view.InstanceNext[child])
        {
            if (MatchesBody(view, body, end, child))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Writes <see cref="PatternPrograms"/> (used once, by <see cref="CompiledPatternSetBuilder"/>).</summary>
internal sealed class PatternProgramWriter
{
    private readonly List<int> _code = [];
    private readonly List<char> _chars = [];
    private readonly Dictionary<string, int> _stringStarts = new(StringComparer.Ordinal);
    private readonly List<CompiledMember> _fallbacks = [];
    private readonly List<int> _starts = [];

    /// <summary>Whether a leaf's entries all have a block form (<see cref="Matcher.ToPlainTest"/>).</summary>
    public static bool HasBlockForm(LeafMember leaf) => leaf.Matchers.Length > 0 && leaf.Matchers.All(m => m.ToPlainTest() is not null);

    /// <summary>Starts the next pattern's block (ids in order); close it with <see cref="End"/>.</summary>
    public int BeginPattern()
    {
        _starts.Add(_code.Count);
        _code.Add(_starts.Count - 1);
        _code.Add(0);
        return _code.Count - 1;
    }

    public int BeginNested(int childIndex)
    {
        _code.AddRange([PatternPrograms.Nested, childIndex, 0]);
        return _code.Count - 1;
    }

    /// <summary>Starts an $or's branches (close it with <see cref="End"/>); each branch is begun with <see cref="BeginBranch"/>.</summary>
    public int BeginOr()
    {
        _code.AddRange([PatternPrograms.Or, 0]);
        return _code.Count - 1;
    }

    /// <summary>Starts a branch's body (close it with <see cref="End"/>).</summary>
    public int BeginBranch()
    {
        _code.Add(0);
        return _code.Count - 1;
    }

    /// <summary>Closes a body begun at <paramref name="lengthAt"/>: its length is what was written since.</summary>
    public void End(int lengthAt) => _code[lengthAt] = _code.Count - lengthAt - 1;

    public void Fallback(CompiledMember member)
    {
        _code.AddRange([PatternPrograms.Fallback, _fallbacks.Count]);
        _fallbacks.Add(member);
    }

    public void Leaf(int childIndex, LeafMember leaf)
    {
        _code.AddRange([PatternPrograms.Leaf, childIndex, 0]);
        var lengthAt = _code.Count - 1;
        foreach (var matcher in leaf.Matchers)
        {
            var test = matcher.ToPlainTest() ?? throw new InvalidOperationException($"A leaf with {matcher.GetType().Name} has no block form.");
            switch (test.Kind)
            {
                case PlainTestKind.Exact when test.Value.Kind == ScalarKind.String:
                    AddString(PatternPrograms.ExactString, test.Value.Text!);
                    break;
                case PlainTestKind.Exact when test.Value.Kind == ScalarKind.Number:
                    AddNumber(test.Value.Number);
                    break;
                case PlainTestKind.Exact:
                    _code.AddRange([PatternPrograms.ExactKind, 1, (int)test.Value.Kind]);
                    break;
                case PlainTestKind.Prefix:
                    AddString(PatternPrograms.Prefix, test.Value.Text!);
                    break;
                case PlainTestKind.Suffix:
                    AddString(PatternPrograms.Suffix, test.Value.Text!);
                    break;
                case PlainTestKind.Numeric:
                    AddComparisons(test.Comparisons);
                    break;
                default:
                    AddWildcard(test.Segments);
                    break;
            }
        }

        End(lengthAt);
    }

    public PatternPrograms Build() => new([.. _code], [.. _chars], [.. _fallbacks], [.. _starts]);

    private void AddString(int kind, string text)
    {
        var (start, length) = Intern(text);
        _code.AddRange([kind, 2, start, length]);
    }

    // One copy of each expected string: those many patterns share (types, layers) stay in cache.
    private (int Start, int Length) Intern(string text)
    {
        if (!_stringStarts.TryGetValue(text, out var start))
        {
            start = _chars.Count;
            _chars.AddRange(text);
            _stringStarts.Add(text, start);
        }

        return (start, text.Length);
    }

    // Two or more segments (one star or more): WildcardPattern.IsMatch's head, middle and tail.
    private void AddWildcard(IReadOnlyList<string> segments)
    {
        _code.AddRange([PatternPrograms.Wildcard, 2 * segments.Count]);
        foreach (var segment in segments)
        {
            var (start, length) = Intern(segment);
            _code.AddRange([start, length]);
        }
    }

    private void AddNumber(JsonNumber number)
    {
        _code.AddRange([PatternPrograms.ExactNumber, PatternPrograms.NumberInts]);
        AddInts(number);
    }

    private void AddComparisons(ImmutableArray<NumericComparison> comparisons)
    {
        _code.AddRange([PatternPrograms.Numeric, comparisons.Length * PatternPrograms.ComparisonInts]);
        foreach (var comparison in comparisons)
        {
            var bits = BitConverter.DoubleToInt64Bits(comparison.Value.AsDouble);
            _code.AddRange([(int)comparison.Operator, (int)bits, (int)(bits >> 32)]);
            AddInts(comparison.Value);
        }
    }

    private void AddInts(JsonNumber number)
    {
        var ints = new int[PatternPrograms.NumberInts];
        MemoryMarshal.Write(MemoryMarshal.AsBytes(ints.AsSpan()), in number);
        _code.AddRange(ints);
    }
}
