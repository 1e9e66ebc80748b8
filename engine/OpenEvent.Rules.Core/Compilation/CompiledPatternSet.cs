using System.Runtime.InteropServices;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Compilation;

// The compiled matcher: answers "which patterns match this event" with a per-event cost that stays flat as the
// policy set grows from tens to tens of thousands of patterns.
//
// Design, in the order an event meets it:
// 1. Read once (Events/EventReader). One pass of the engine's own tokenizer (Events/EventTokenizer: Utf8JsonReader's
//    grammar) over the bytes, walking a trie of the paths any pattern (or extra path) reads. Values at those paths go
//    into a reusable EventView (flat arrays; strings as spans into one char buffer; numbers parsed once to
//    JsonNumber); every other subtree is skipped without being decoded. Object instances are kept apart, because a
//    nested pattern must match within one array element.
// 2. Propose candidates (CandidateIndex). A tree built at compile time: each node splits its patterns by the value
//    of one path, chosen for how well it splits them, typically `type` first (hash of exact values; patterns with no
//    exact type stay in the node and are split by their next best path), then workspace, operator, file name...
//    Tables per path: hash sets for exact and equals-ignore-case values, prefix/suffix tables probed once per distinct
//    key length, a centered interval tree for numeric ranges. Per event, the walk follows only the children the
//    event's values hit, so its cost follows the event's values and the number of patterns sharing every key with it,
//    not the size of the set.
// 3. Verify (PatternPrograms). Each candidate is checked exactly, over the view, by its block of contiguous data
//    (members, tests and expected values in one int block; falling back to CompiledPattern's objects for the rest).
//    The index only ever narrows (a key is a necessary condition of the pattern); anything it cannot express
//    (contains, cidr, anything-but, exists, $or) is left to verification, so the index can cost speed, never
//    correctness.
//
// Hot path: no locks, no per-pattern allocation. Per-event state lives in the caller's MatchResult (one per thread);
// the set itself is immutable and can be shared by any number of threads.

/// <summary>
/// An immutable, thread-safe compiled set of event patterns (see <see cref="CompiledPatternSetBuilder"/>). Pattern ids
/// are the indexes of the patterns in the list given to the builder.
/// </summary>
internal sealed class CompiledPatternSet
{
    private readonly PatternPrograms _patterns;
    private readonly PathNode _root;
    private readonly int _pathCount;
    private readonly IndexNode _index;
    private readonly int _indexNodeCount;
    private readonly PathNode[] _extras;

    internal CompiledPatternSet(
        PatternPrograms patterns, PathNode root, int pathCount, IndexNode index, int indexNodeCount, PathNode[] extras, string[] extraPaths)
    {
        _patterns = patterns;
        _root = root;
        _pathCount = pathCount;
        _index = index;
        _indexNodeCount = indexNodeCount;
        _extras = extras;
        ExtraPaths = extraPaths;
    }

    public int PatternCount => _patterns.PatternCount;

    /// <summary>The index build's work: the items counted to choose its splits (<see cref="CandidateIndexBuilder.CountedItems"/>).</summary>
    internal long IndexBuildWork { get; init; }

    /// <summary>The index's precomputed substring moves (<see cref="CandidateIndexBuilder.DenseMoves"/>).</summary>
    internal long IndexDenseMoves { get; init; }

    /// <summary>The extra paths, by the index <see cref="CompiledPatternSetBuilder.AddExtraPath"/> returned.</summary>
    public IReadOnlyList<string> ExtraPaths { get; }

    /// <summary>
    /// Matches one event, given as the UTF-8 bytes of a CloudEvent JSON object. <paramref name="result"/> receives the
    /// matching pattern ids in ascending order and the extra path values; it is reused from call to call (one per
    /// thread). Throws <see cref="InvalidEventException"/> for an event that is not valid JSON, not UTF-8, has a
    /// duplicate key or is nested deeper than 64 levels; the result is then empty.
    /// </summary>
    public void Match(ReadOnlySpan<byte> utf8CloudEvent, MatchResult result)
    {
        var view = result.Begin(_pathCount, _patterns.PatternCount, _indexNodeCount, _extras.Length);
        EventReader.Read(utf8CloudEvent, _root, view);
        Visit(_index, view, result, dedupe: false);
        result.Complete(_extras, _patterns.PatternCount);
    }

    /// <summary>Only the first stage of <see cref="Match(ReadOnlySpan{byte}, MatchResult)"/>: reads the event into the view (the benchmark's stage breakdown).</summary>
    internal void ReadOnly(ReadOnlySpan<byte> utf8CloudEvent, MatchResult result)
    {
        var view = result.Begin(_pathCount, _patterns.PatternCount, _indexNodeCount, _extras.Length);
        EventReader.Read(utf8CloudEvent, _root, view);
    }

    /// <summary>Convenience overload: allocates a result; the matching ids in ascending order.</summary>
    public int[] Match(ReadOnlySpan<byte> utf8CloudEvent)
    {
        var result = new MatchResult();
        Match(utf8CloudEvent, result);
        return result.PatternIds.ToArray();
    }

    // `dedupe`: the node may be reached again in this event, through another value of a multi-valued path (an array,
    // repeated values). A node has one parent, so below a path with one value each child is reached at most once and
    // needs no stamp: at 10,000 patterns every stamp read is a likely cache miss.
    private void Visit(IndexNode node, EventView view, MatchResult result, bool dedupe)
    {
        if (dedupe)
        {
            if (result.NodeStamp[node.Id] == view.Epoch)
            {
                return;
            }

            result.NodeStamp[node.Id] = view.Epoch;
        }

        result.VisitedCount++;
        VerifyBlocks(node.Blocks, view, result);
        if (node.Decided.Length > 0)
        {
            AcceptDecided(node.Decided, view, result);
        }

        // A node with partitions on more paths than the event has values on (patterns on many fields) is reached through
        // the event's paths: a lookup each, instead of a try for each of thousands of partitions.
        if (node.ByPath is { } byPath && view.PresentPathCount * 4 < node.Partitions.Length)
        {
            for (var i = 0; i < view.PresentPathCount; i++)
            {
                if (byPath.TryGetValue(view.PresentPaths[i], out var partition))
                {
                    VisitPartition(partition, view, result);
                }
            }

            return;
        }

        foreach (var partition in node.Partitions)
        {
            VisitPartition(partition, view, result);
        }
    }

    private void VisitPartition(FieldPartition partition, EventView view, MatchResult result)
    {
        var first = view.FirstInPath(partition.PathId);
        if (first >= 0)
        {
            var scratch = result.NodeScratch;
            var start = scratch.Count;
            for (var v = first; v >= 0; v = view.Values[v].NextInPath)
            {
                partition.Collect(view, v, scratch);
            }

            var multiValued = view.Values[first].NextInPath >= 0;
            var end = scratch.Count;
            for (var i = start; i < end; i++)
            {
                Visit(scratch[i], view, result, multiValued); // nested visits push and pop above `end`
            }

            CollectionsMarshal.SetCount(scratch, start);
        }
    }

    private void VerifyBlocks(int[] blocks, EventView view, MatchResult result)
    {
        foreach (var code in blocks)
        {
            // ~start: a pattern listed under several keys, verified once however often it is proposed.
            var start = code < 0 ? ~code : code;
            var id = _patterns.IdAt(start);
            if (code < 0 && !result.FirstVisit(id))
            {
                continue;
            }

            result.VerifiedCount++;
            result.VerifiedLog?.Add(id);
            if (_patterns.Matches(view, start))
            {
                result.Add(id);
            }
        }
    }

    // Patterns the path to the node decides: counted as candidates like the others, matched without touching their
    // block (a cold cache line at 10,000 patterns), unless an array of objects makes element identity matter.
    private void AcceptDecided(int[] decided, EventView view, MatchResult result)
    {
        foreach (var code in decided)
        {
            var id = code < 0 ? ~code : code;
            if (code < 0 && !result.FirstVisit(id))
            {
                continue;
            }

            result.VerifiedCount++;
            result.VerifiedLog?.Add(id);
            if (!view.HasSiblingInstances)
            {
                result.DecidedCount++;
                result.Add(id);
            }
            else if (_patterns.Matches(view, _patterns.StartOf(id)))
            {
                result.Add(id);
            }
        }
    }
}
