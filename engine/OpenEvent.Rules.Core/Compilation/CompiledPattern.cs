using System.Collections.Immutable;
using System.Net;
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

/// <summary><c>name: [entries]</c>: some leaf value satisfies some entry; exists is judged on the field as a whole.</summary>
internal sealed class LeafCheck : CompiledMember
{
    private readonly int _childIndex;
    private readonly ValueTest[] _tests;
    private readonly bool _existsTrue;
    private readonly bool _existsFalse;

    public LeafCheck(int childIndex, ValueTest[] tests, bool existsTrue, bool existsFalse)
    {
        _childIndex = childIndex;
        _tests = tests;
        _existsTrue = existsTrue;
        _existsFalse = existsFalse;
    }

    public override int Cost => 0;

    public override bool Matches(EventView view, int instance)
    {
        var first = view.FirstLeaf(instance, _childIndex);
        if (first < 0 ? _existsFalse : _existsTrue)
        {
            return true;
        }

        for (var v = first; v >= 0; v = view.Values[v].NextInSlot)
        {
            foreach (var test in _tests)
            {
                if (test.Test(view, v))
                {
                    return true;
                }
            }
        }

        return false;
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

/// <summary>One leaf-list entry applied to one leaf value (exists is not a value test).</summary>
internal abstract class ValueTest
{
    public abstract bool Test(EventView view, int value);

    public static ValueTest Create(Matcher matcher) => matcher switch
    {
        ExactMatcher m => m.Value.Kind switch
        {
            ScalarKind.String => new ExactStringTest(m.Value.Text!),
            ScalarKind.Number => new ExactNumberTest(m.Value.Number),
            _ => new KindTest(m.Value.Kind),
        },
        PrefixMatcher m => m.IgnoreCase ? new PrefixIgnoreCaseTest(ValueMatchers.ToUpper(m.Value)) : new PrefixTest(m.Value),
        SuffixMatcher m => m.IgnoreCase ? new SuffixIgnoreCaseTest(ValueMatchers.ToUpper(m.Value)) : new SuffixTest(m.Value),
        ContainsMatcher m => new ContainsTest(m.Value),
        EqualsIgnoreCaseMatcher m => new EqualsIgnoreCaseTest(ValueMatchers.ToUpper(m.Value)),
        WildcardMatcher m => new WildcardTest(WildcardPattern.Parse(m.Pattern)),
        NumericMatcher m => new NumericTest(m.Comparisons, m.AcceptsText),
        CidrMatcher m => new CidrTest(m.Network),
        AnythingButMatcher m => new AnythingButTest([.. m.Excluded.Select(Create)]),
        _ => throw new NotSupportedException($"The matcher '{matcher.Operator}' cannot be tested per value."),
    };

    protected static bool IsString(EventView view, int value) => view.Values[value].Kind == ScalarKind.String;
}

internal sealed class ExactStringTest(string expected) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.StringEquals(view.Text(value), expected);
}

internal sealed class ExactNumberTest(JsonNumber expected) : ValueTest
{
    public override bool Test(EventView view, int value)
    {
        ref var v = ref view.Values[value];
        return v.Kind == ScalarKind.Number && ValueMatchers.NumberEquals(v.Number, expected);
    }
}

/// <summary>null, true, false: equal when of the same kind.</summary>
internal sealed class KindTest(ScalarKind kind) : ValueTest
{
    public override bool Test(EventView view, int value) => view.Values[value].Kind == kind;
}

internal sealed class PrefixTest(string prefix) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.StartsWith(view.Text(value), prefix);
}

internal sealed class PrefixIgnoreCaseTest(string upperPrefix) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.StartsWith(view.UpperText(value), upperPrefix);
}

internal sealed class SuffixTest(string suffix) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.EndsWith(view.Text(value), suffix);
}

internal sealed class SuffixIgnoreCaseTest(string upperSuffix) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.EndsWith(view.UpperText(value), upperSuffix);
}

internal sealed class ContainsTest(string part) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.Contains(view.Text(value), part);
}

internal sealed class EqualsIgnoreCaseTest(string upper) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.StringEquals(view.UpperText(value), upper);
}

internal sealed class WildcardTest(WildcardPattern pattern) : ValueTest
{
    public override bool Test(EventView view, int value) => IsString(view, value) && pattern.IsMatch(view.Text(value));
}

internal sealed class NumericTest(ImmutableArray<NumericComparison> comparisons, bool acceptsText) : ValueTest
{
    public override bool Test(EventView view, int value)
    {
        ref var v = ref view.Values[value];
        return (v.Kind == ScalarKind.Number && MatcherSemantics.SatisfiesAll(comparisons, v.Number))
            || (acceptsText && v.Kind == ScalarKind.String && MatcherSemantics.NumberInText(view.Text(value)) is { } number && MatcherSemantics.SatisfiesAll(comparisons, number));
    }
}

internal sealed class CidrTest(IPNetwork network) : ValueTest
{
    public override bool Test(EventView view, int value) =>
        IsString(view, value) && ValueMatchers.InNetwork(view.Text(value), network);
}

/// <summary>Per value: this value matches none of the excluded entries (any kind of value can be "not excluded").</summary>
internal sealed class AnythingButTest(ValueTest[] excluded) : ValueTest
{
    public override bool Test(EventView view, int value)
    {
        foreach (var test in excluded)
        {
            if (test.Test(view, value))
            {
                return false;
            }
        }

        return true;
    }
}
