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

    // The folded text is computed (once per value and event, kept in the view) only for leaves with an ignore-case test.
    private LeafValue Read(EventView view, int v)
    {
        ref var record = ref view.Values[v];
        var folded = _foldsCase && record.Kind == ScalarKind.String ? view.UpperText(v) : default;
        return new LeafValue(record.Kind, view.Text(v), folded, record.Number);
    }
}
