using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The answer for one event, and the reusable per-event working memory behind it. Not thread-safe: keep one per
/// thread (or per worker) and pass it to every <see cref="CompiledPatternSet.Match(ReadOnlySpan{byte}, MatchResult)"/>
/// call; its contents are valid until the next call. It may be used with several sets in turn.
/// </summary>
public sealed class MatchResult
{
    private int[] _ids = new int[16];
    private int _count;
    private int[] _extraValues = [];
    private int[] _extraPathIds = [];
    private int _extraCount;

    internal EventView View { get; } = new();

    public int Count => _count;

    /// <summary>The ids of the matching patterns, ascending.</summary>
    public ReadOnlySpan<int> PatternIds => _ids.AsSpan(0, _count);

    /// <summary>
    /// The first scalar value (document order) at extra path <paramref name="index"/>; false when the event has none
    /// there (missing, only objects, an empty array). Strings are allocated here, on demand, not while matching.
    /// </summary>
    public bool TryGetExtra(int index, out Scalar value) => TryGetExtra(index, out value, out _);

    /// <summary>As <see cref="TryGetExtra(int, out Scalar)"/>; <paramref name="inArray"/> says whether an array lies on its way from the root.</summary>
    public bool TryGetExtra(int index, out Scalar value, out bool inArray)
    {
        value = default;
        inArray = false;
        if ((uint)index >= (uint)_extraCount || _extraValues[index] < 0)
        {
            return false;
        }

        var view = View;
        var v = _extraValues[index];
        ref var record = ref view.Values[v];
        inArray = record.InArray;
        switch (record.Kind)
        {
            case ScalarKind.String:
                value = Scalar.FromString(view.Text(v).ToString());
                return true;
            case ScalarKind.Number:
                value = Scalar.FromNumber(record.Number, view.Text(v).ToString());
                return true;
            case ScalarKind.True:
                value = Scalar.True;
                return true;
            case ScalarKind.False:
                value = Scalar.False;
                return true;
            default:
                value = Scalar.Null;
                return true;
        }
    }

    /// <summary>Whether the field at extra path <paramref name="index"/> was an array (of anything, also empty).</summary>
    public bool IsExtraArray(int index) =>
        (uint)index < (uint)_extraCount && View.ArrayStamp[_extraPathIds[index]] == View.Epoch;

    internal EventView Begin(int pathCount, int patternCount, int indexNodeCount, int extraCount)
    {
        _count = 0;
        _extraCount = 0;
        if (_extraValues.Length < extraCount)
        {
            _extraValues = new int[extraCount];
            _extraPathIds = new int[extraCount];
        }

        View.Reset(pathCount, patternCount, indexNodeCount);
        return View;
    }

    internal void Add(int id)
    {
        if (_count == _ids.Length)
        {
            Array.Resize(ref _ids, _count * 2);
        }

        _ids[_count++] = id;
    }

    internal void Complete(PathNode[] extras)
    {
        _ids.AsSpan(0, _count).Sort();
        for (var i = 0; i < extras.Length; i++)
        {
            _extraValues[i] = View.FirstInPath(extras[i].Id);
            _extraPathIds[i] = extras[i].Id;
        }

        _extraCount = extras.Length;
    }
}
