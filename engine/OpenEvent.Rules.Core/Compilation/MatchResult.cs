using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The answer for one event, and the reusable per-event working memory behind it. Not thread-safe: keep one per
/// thread (or per worker) and pass it to every <see cref="CompiledPatternSet.Match(ReadOnlySpan{byte}, MatchResult)"/>
/// call; its contents are valid until the next call. It may be used with several sets in turn.
/// </summary>
internal sealed class MatchResult
{
    private int[] _ids = new int[16];
    private int _count;
    private ulong[] _idBits = []; // all zero between events (SortIds clears what it sets)
    private int[] _extraValues = [];
    private int[] _extraPathIds = [];
    private int _extraCount;

    /// <summary>
    /// The text last read at each extra path, kept across events: the envelope and scope fields are asked for several
    /// times per event (checks, then the event's attributes and scope), and most repeat from one event to the next
    /// (specversion, source, region, tenant, a popular workspace), so an equal text is the string already made. A new
    /// string per ask was the host's largest allocation per event (bench/README.md, item 3).
    /// </summary>
    private string?[] _extraTexts = [];

    /// <summary>Texts longer than this are not kept (a thread would otherwise hold an event's long value until the next).</summary>
    private const int KeptTextLength = 256;

    /// <summary>The event as the single pass read it.</summary>
    internal EventView View { get; } = new();

    // The matcher's own per-event state, stamped with the view's epoch: patterns verified and index nodes visited.
    internal int[] PatternStamp = [];
    internal int[] NodeStamp = [];
    internal readonly List<IndexNode> NodeScratch = [];

    /// <summary>
    /// Patterns verified for the current event: what the index let through (tests guard flatness with it), whether
    /// checked by their block or decided by the index (<see cref="DecidedCount"/>).
    /// </summary>
    internal int VerifiedCount;

    /// <summary>Of <see cref="VerifiedCount"/>, the patterns the index decided alone: matched without their block.</summary>
    internal int DecidedCount;

    /// <summary>Index nodes visited for the current event (tests guard the shape of the index with it).</summary>
    internal int VisitedCount;

    /// <summary>
    /// When set (tests, cost-model checks), the ids of the patterns verified for the current event. The matcher keeps no
    /// per-pattern trace of its own: the verified stamps are only written where a pattern can be proposed twice.
    /// </summary>
    internal List<int>? VerifiedLog;

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
                value = Scalar.FromString(TextAt(index, view.Text(v)));
                return true;
            case ScalarKind.Number:
                value = Scalar.FromNumber(record.Number, TextAt(index, view.Text(v)));
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

    private string TextAt(int index, ReadOnlySpan<char> text)
    {
        if (_extraTexts[index] is { } last && text.SequenceEqual(last))
        {
            return last;
        }

        var made = text.ToString();
        _extraTexts[index] = made.Length <= KeptTextLength ? made : null;
        return made;
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
            _extraTexts = new string?[extraCount];
        }

        var wrapped = View.Reset(pathCount);
        VerifiedCount = 0;
        DecidedCount = 0;
        VisitedCount = 0;
        VerifiedLog?.Clear();
        NodeScratch.Clear();
        PatternStamp = Fresh(PatternStamp, patternCount, wrapped);
        NodeStamp = Fresh(NodeStamp, indexNodeCount, wrapped);
        return View;
    }

    // A stamp array of at least `size`, with no stamp of the current epoch in it.
    private static int[] Fresh(int[] stamps, int size, bool epochWrapped)
    {
        if (stamps.Length < size)
        {
            return new int[size];
        }

        if (epochWrapped)
        {
            Array.Clear(stamps);
        }

        return stamps;
    }

    /// <summary>Whether pattern <paramref name="id"/> is met for the first time in this event (stamps it).</summary>
    internal bool FirstVisit(int id)
    {
        if (PatternStamp[id] == View.Epoch)
        {
            return false;
        }

        PatternStamp[id] = View.Epoch;
        return true;
    }

    internal void Add(int id)
    {
        if (_count == _ids.Length)
        {
            Array.Resize(ref _ids, _count * 2);
        }

        _ids[_count++] = id;
    }

    // Ascending ids. A large answer (a broad policy set: hundreds or thousands of matches per event) is written back from
    // a bitmap of the set's ids, in time linear in the answer and the set's size / 64, rather than sorted: sorting 1,857
    // ids took more than half the event's time.
    private void SortIds(int patternCount)
    {
        var words = (patternCount + 63) >> 6;
        if (_count < 64 || words > 4 * _count)
        {
            _ids.AsSpan(0, _count).Sort();
            return;
        }

        if (_idBits.Length < words)
        {
            _idBits = new ulong[words];
        }

        var bits = _idBits;
        foreach (var id in _ids.AsSpan(0, _count))
        {
            bits[id >> 6] |= 1UL << (id & 63);
        }

        var count = 0;
        for (var w = 0; w < words; w++)
        {
            for (var word = bits[w]; word != 0; word &= word - 1)
            {
                _ids[count++] = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
            }

            bits[w] = 0;
        }

        _count = count;
    }

    internal void Complete(PathNode[] extras, int patternCount)
    {
        SortIds(patternCount);
        for (var i = 0; i < extras.Length; i++)
        {
            _extraValues[i] = View.FirstInPath(extras[i].Id);
            _extraPathIds[i] = extras[i].Id;
        }

        _extraCount = extras.Length;
    }
}
