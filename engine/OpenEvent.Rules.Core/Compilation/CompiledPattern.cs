using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// What a pattern's verification block (<see cref="PatternPrograms"/>) calls back into for a leaf whose entries have no
/// plain-data form (anything-but, ignore-case, exists, cidr, numeric-string...): a member bound to its path-trie slot,
/// with each operator's compiled test, and the exact semantics (element identity in arrays, a missing field).
/// </summary>
internal abstract class CompiledMember
{
    /// <param name="instance">An object instance of the member's parent path node, or -1 for "the empty object".</param>
    public abstract bool Matches(EventView view, int instance);
}

/// <summary>
/// <c>name: [entries]</c>: some leaf value passes some entry's test (each operator compiles its own); a field without
/// leaf values matches when some entry accepts that (<c>exists: false</c>).
/// </summary>
internal sealed class LeafCheck : CompiledMember
{
    private readonly int _childIndex;
    private readonly ValueTest[] _tests;
    private readonly bool _acceptsMissing;
    private readonly bool _foldsCase;

    public LeafCheck(int childIndex, ValueTest[] tests, bool acceptsMissing)
    {
        _childIndex = childIndex;
        _tests = tests;
        _acceptsMissing = acceptsMissing;
        _foldsCase = tests.Any(t => t.FoldsCase);
    }

    public override bool Matches(EventView view, int instance)
    {
        var first = view.FirstLeaf(instance, _childIndex);
        if (first < 0)
        {
            return _acceptsMissing;
        }

        for (var v = first; v >= 0; v = view.Values[v].NextInSlot)
        {
            var value = Read(view, v);
            foreach (var test in _tests)
            {
                if (test.Test(value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private LeafValue Read(EventView view, int v) => Read(view, v, _foldsCase);

    // The folded text is computed (once per value and event, kept in the view) only for leaves with an ignore-case test.
    internal static LeafValue Read(EventView view, int v, bool foldsCase)
    {
        ref var record = ref view.Values[v];
        var folded = foldsCase && record.Kind == ScalarKind.String ? view.UpperText(v) : default;
        return new LeafValue(record.Kind, view.Text(v), folded, record.Number);
    }
}

/// <summary>
/// A leaf with many entries the index can key (a registry set expanded into a list of prefixes, suffixes, ignore-case
/// values, wildcards, ranges): the value is looked up in one table of the entries' keys, as the candidate index looks
/// up patterns (<see cref="FieldPartition"/>), and only the entries it hits are tested, none where the key decides.
/// Tested in turn, 3,000 prefixes cost 19 µs per event for one policy. Entries without a key are tested in turn.
/// </summary>
internal sealed class KeyedLeafCheck : CompiledMember
{
    /// <summary>The fewest keyed entries a leaf looks up in a table; fewer are tested in turn.</summary>
    public const int Minimum = 16;

    // The nodes a value hits: one list per thread, as sets are shared by threads and a check does not nest.
    [ThreadStatic]
    private static List<IndexNode>? t_hits;

    private readonly int _childIndex;
    private readonly FieldPartition _keys;
    private readonly ValueTest?[] _verify;
    private readonly ValueTest[] _unkeyed;
    private readonly bool _acceptsMissing;
    private readonly bool _foldsCase;

    /// <param name="keys">The entries' keys; each node's <see cref="IndexNode.Scan"/> lists the entries under its key.</param>
    /// <param name="verify">By entry: its test, or null where a hit of its key is a pass.</param>
    public KeyedLeafCheck(int childIndex, FieldPartition keys, ValueTest?[] verify, ValueTest[] unkeyed, bool acceptsMissing)
    {
        _childIndex = childIndex;
        _keys = keys;
        _verify = verify;
        _unkeyed = unkeyed;
        _acceptsMissing = acceptsMissing;
        _foldsCase = verify.Any(t => t?.FoldsCase == true) || unkeyed.Any(t => t.FoldsCase);
    }

    public override bool Matches(EventView view, int instance)
    {
        var first = view.FirstLeaf(instance, _childIndex);
        if (first < 0)
        {
            return _acceptsMissing;
        }

        var hits = t_hits ??= [];
        for (var v = first; v >= 0; v = view.Values[v].NextInSlot)
        {
            hits.Clear();
            _keys.Collect(view, v, hits);
            if (Passes(view, v, hits))
            {
                return true;
            }
        }

        return false;
    }

    private bool Passes(EventView view, int v, List<IndexNode> hits)
    {
        var value = LeafCheck.Read(view, v, _foldsCase);
        foreach (var node in hits)
        {
            foreach (var entry in node.Scan)
            {
                if (_verify[entry] is not { } test || test.Test(value))
                {
                    return true;
                }
            }
        }

        foreach (var test in _unkeyed)
        {
            if (test.Test(value))
            {
                return true;
            }
        }

        return false;
    }
}
