using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The precise check of one pattern over the event view: the pattern tree pre-flattened into arrays of members bound
/// to path-trie slots, so verification is array walks and virtual calls, no name lookups. The candidate index only
/// proposes patterns; this decides, with the exact semantics (element identity in arrays, exists, $or, anything-but).
/// </summary>
internal sealed class CompiledObject
{
    private readonly CompiledMember[] _members;

    public CompiledObject(CompiledMember[] members) => _members = members;

    /// <param name="instance">An object instance of this object's path node, or -1 for "the empty object".</param>
    public bool Matches(EventView view, int instance)
    {
        foreach (var member in _members)
        {
            if (!member.Matches(view, instance))
            {
                return false;
            }
        }

        return true;
    }
}

internal abstract class CompiledMember
{
    /// <summary>Cheap members first: a failing leaf spares nested and $or walks.</summary>
    public abstract int Cost { get; }

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

    public override int Cost => 0;

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

/// <summary>
/// <c>name: {...}</c>: some object element matches as a whole; with no object there at all, the nested pattern is
/// matched against the empty object (semantics: missing, null, scalar or object-less array).
/// </summary>
internal sealed class NestedCheck : CompiledMember
{
    private readonly int _childIndex;
    private readonly CompiledObject _pattern;

    public NestedCheck(int childIndex, CompiledObject pattern)
    {
        _childIndex = childIndex;
        _pattern = pattern;
    }

    public override int Cost => 1;

    public override bool Matches(EventView view, int instance)
    {
        var child = view.FirstChildInstance(instance, _childIndex);
        if (child < 0)
        {
            return _pattern.Matches(view, -1);
        }

        for (; child >= 0; child = view.InstanceNext[child])
        {
            if (_pattern.Matches(view, child))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary><c>$or</c>: branches are whole pattern objects over the same object instance.</summary>
internal sealed class OrCheck : CompiledMember
{
    private readonly CompiledObject[] _branches;

    public OrCheck(CompiledObject[] branches) => _branches = branches;

    public override int Cost => 2;

    public override bool Matches(EventView view, int instance)
    {
        foreach (var branch in _branches)
        {
            if (branch.Matches(view, instance))
            {
                return true;
            }
        }

        return false;
    }
}
