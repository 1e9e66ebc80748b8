using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

// The candidate index: a tree of partitions over "access predicates". An access predicate is a leaf member whose
// entries all have an index key (exact value, equals-ignore-case, prefix, suffix, a part of the value (contains), a
// wildcard's literal head, tail or longest middle run, a numeric range, an IPv4 network, any value for exists: true).
// A pattern is listed by entries: lists of predicates that all hold in an event it matches through that entry (its AND
// path's; each combination of keyed $or branches adds one entry, see Model/Patterns/IndexEntries). The pattern cannot
// match unless every predicate of some entry is hit, so the index may skip it otherwise. Keys only narrow: every
// proposed pattern is verified exactly, and a pattern without usable predicates is simply verified for every event that
// reaches its node. Wrong answers are impossible by construction; only speed depends on the index.

/// <summary>A necessary condition of a pattern: some value at <see cref="Path"/> hits one of <see cref="Keys"/>.</summary>
internal sealed record AccessPredicate(PathNode Path, IndexKey[] Keys)
{
    /// <summary>Each key once (["a", "a"] is listed once): the build counts and splits by them again and again.</summary>
    public IndexKey[] Keys { get; } = Keys.Length < 2 ? Keys : Keys.Distinct().ToArray();
}

/// <summary>A node of the candidate tree: patterns to verify here, and partitions leading to narrower nodes.</summary>
internal sealed class IndexNode
{
    public IndexNode(int id) => Id = id;

    public int Id { get; }

    /// <summary>Patterns to verify at this node: the id, or ~id for a pattern listed in several nodes.</summary>
    public int[] Scan { get; set; } = [];

    /// <summary>
    /// <see cref="Scan"/> as the matcher reads it: where each pattern's verification block starts
    /// (<see cref="PatternPrograms"/>), or ~start for a pattern listed in several nodes. The block begins with the id,
    /// so a candidate's first load is its own block, not an id-indexed table.
    /// </summary>
    public int[] Blocks { get; set; } = [];

    /// <summary>
    /// Patterns the path to this node decides (id, or ~id when listed in several nodes): every condition of the pattern
    /// is an index key consumed on the way here (see <see cref="CandidateIndexBuilder"/>), so reaching the node means
    /// the pattern matches, unless an array of objects makes element identity matter (then it is checked).
    /// </summary>
    public int[] Decided { get; set; } = [];

    public FieldPartition[] Partitions
    {
        get;
        set
        {
            field = value;
            // Many partitions (patterns on many fields): an event reaches them through the paths it has, not by trying
            // each.
            ByPath = value.Length > ByPathMinimum && value.DistinctBy(p => p.PathId).Count() == value.Length
                ? value.ToDictionary(p => p.PathId)
                : null;
        }
    } = [];

    /// <summary>
    /// The partitions by path id, when there are more than <see cref="ByPathMinimum"/> (one per path); else null.
    /// </summary>
    public Dictionary<int, FieldPartition>? ByPath { get; private set; }

    internal const int ByPathMinimum = 16;
}

/// <summary>The children of a node split by the value of one path (hash, affix and interval tables).</summary>
internal sealed class FieldPartition
{
    private Dictionary<string, IndexNode>? _strings;
    private Dictionary<string, IndexNode>.AlternateLookup<ReadOnlySpan<char>> _stringLookup;
    private Dictionary<string, IndexNode>? _upper;
    private Dictionary<string, IndexNode>.AlternateLookup<ReadOnlySpan<char>> _upperLookup;
    private AffixTable? _prefix;
    private AffixTable? _prefixUpper;
    private AffixTable? _suffix;
    private AffixTable? _suffixUpper;
    private SubstringTable? _contains;
    private Dictionary<JsonNumber, IndexNode>? _numbers;

    // Integer keys (ids, codes: nearly all numeric keys) in a table keyed by long: smaller entries and a cheaper hash
    // and compare than JsonNumber's. Equal numbers give the same TryGetInt64 answer, so a value looks in one table.
    private Dictionary<long, IndexNode>? _integers;
    private IntegerTable? _integerTable;
    private List<IntervalIndex.Entry>? _rangeEntries;
    private IntervalIndex? _ranges;
    private List<IntervalIndex.Entry>? _addressEntries;
    private IntervalIndex? _addresses;
    private IndexNode? _true;
    private IndexNode? _false;
    private IndexNode? _null;
    private IndexNode? _present;

    public FieldPartition(PathNode path) => PathId = path.Id;

    public int PathId { get; }

    public void Add(IndexKey key, IndexNode child)
    {
        switch (key.Kind)
        {
            case IndexKeyKind.String:
                (_strings ??= new(StringComparer.Ordinal))[key.Text!] = child;
                break;
            case IndexKeyKind.Upper:
                (_upper ??= new(StringComparer.Ordinal))[key.Text!] = child;
                break;
            case IndexKeyKind.Prefix:
                (_prefix ??= new(suffix: false)).Add(key.Text!, child);
                break;
            case IndexKeyKind.PrefixUpper:
                (_prefixUpper ??= new(suffix: false)).Add(key.Text!, child);
                break;
            case IndexKeyKind.Suffix:
                (_suffix ??= new(suffix: true)).Add(key.Text!, child);
                break;
            case IndexKeyKind.SuffixUpper:
                (_suffixUpper ??= new(suffix: true)).Add(key.Text!, child);
                break;
            case IndexKeyKind.Contains:
                (_contains ??= new()).Add(key.Text!, child);
                break;
            case IndexKeyKind.Number:
                if (key.Number.TryGetInt64(out var integer))
                {
                    (_integers ??= [])[integer] = child;
                }
                else
                {
                    (_numbers ??= [])[key.Number] = child;
                }

                break;
            case IndexKeyKind.Range:
                (_rangeEntries ??= []).Add(new IntervalIndex.Entry(key.Low, key.High, child));
                break;
            case IndexKeyKind.AddressRange:
                (_addressEntries ??= []).Add(new IntervalIndex.Entry(key.Low, key.High, child));
                break;
            case IndexKeyKind.True:
                _true = child;
                break;
            case IndexKeyKind.False:
                _false = child;
                break;
            case IndexKeyKind.Null:
                _null = child;
                break;
            case IndexKeyKind.Present:
                _present = child;
                break;
        }
    }

    /// <param name="dense">The set's budget of precomputed automaton moves (<see cref="DenseMoveBudget"/>); null: none.</param>
    public void Seal(DenseMoveBudget? dense = null)
    {
        if (_strings is not null)
        {
            _stringLookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        if (_upper is not null)
        {
            _upperLookup = _upper.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        _prefix?.Seal();
        _prefixUpper?.Seal();
        _suffix?.Seal();
        _suffixUpper?.Seal();
        _contains?.Seal(dense);
        if (_rangeEntries is not null)
        {
            _ranges = new IntervalIndex(_rangeEntries);
            _rangeEntries = null;
        }

        if (_addressEntries is not null)
        {
            _addresses = new IntervalIndex(_addressEntries);
            _addressEntries = null;
        }

        if (_integers is not null)
        {
            _integerTable = new IntegerTable(_integers);
            _integers = null;
        }
    }

    /// <summary>Adds the child nodes whose key the value hits.</summary>
    public void Collect(EventView view, int value, List<IndexNode> output)
    {
        AddIfAny(_present, output);
        ref var v = ref view.Values[value];
        switch (v.Kind)
        {
            case ScalarKind.String:
            {
                var text = view.Text(value);
                if (_strings is not null && _stringLookup.TryGetValue(text, out var node))
                {
                    output.Add(node);
                }

                _prefix?.Collect(text, output);
                _suffix?.Collect(text, output);
                _contains?.Collect(text, view, output);
                if (_addresses is not null && MatcherSemantics.TryParseIpv4(text, out var address))
                {
                    _addresses.Collect(address, output);
                }
                if (_upper is not null || _prefixUpper is not null || _suffixUpper is not null)
                {
                    var upper = view.UpperText(value);
                    if (_upper is not null && _upperLookup.TryGetValue(upper, out node))
                    {
                        output.Add(node);
                    }

                    _prefixUpper?.Collect(upper, output);
                    _suffixUpper?.Collect(upper, output);
                }

                break;
            }

            case ScalarKind.Number:
                CollectNumber(v.Number, output);

                _ranges?.Collect(v.Number.AsDouble, output);
                break;
            case ScalarKind.True:
                AddIfAny(_true, output);
                break;
            case ScalarKind.False:
                AddIfAny(_false, output);
                break;
            case ScalarKind.Null:
                AddIfAny(_null, output);
                break;
        }
    }

    private void CollectNumber(JsonNumber number, List<IndexNode> output)
    {
        IndexNode? node = null;
        if (number.TryGetInt64(out var integer))
        {
            node = _integerTable?.Find(integer);
        }
        else
        {
            _numbers?.TryGetValue(number, out node);
        }

        if (node is not null)
        {
            output.Add(node);
        }
    }

    private static void AddIfAny(IndexNode? node, List<IndexNode> output)
    {
        if (node is not null)
        {
            output.Add(node);
        }
    }
}

/// <summary>
/// Integer keys (workspace ids, codes) in one open-addressing array of (key, node) slots at most half full: a lookup
/// reads one slot, usually one cache line, where a dictionary reads its bucket array and then its entry array. Most
/// probes find nothing (an event's workspace is rarely one a policy of its type names): a bit filter of about one byte
/// per key, small enough to stay cached, answers most of those without touching the cold slot array.
/// </summary>
internal sealed class IntegerTable
{
    private readonly Slot[] _slots;
    private readonly int _shift;
    private readonly ulong[] _filter;
    private readonly int _filterShift;

    public IntegerTable(Dictionary<long, IndexNode> entries)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, entries.Count * 2));
        _shift = 64 - BitOperations.Log2((uint)size);
        _slots = new Slot[size];
        var bits = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, entries.Count * 8));
        _filterShift = 64 - BitOperations.Log2((uint)bits);
        _filter = new ulong[bits / 64];
        foreach (var (key, node) in entries)
        {
            var i = Home(key);
            while (_slots[i].Node is not null)
            {
                i = (i + 1) & (size - 1);
            }

            _slots[i] = new Slot(key, node);
            var bit = FilterBit(key);
            _filter[bit >> 6] |= 1UL << (int)(bit & 63);
        }
    }

    public IndexNode? Find(long key)
    {
        var bit = FilterBit(key);
        if ((_filter[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
        {
            return null; // no key sets this bit
        }

        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = Home(key); ; i = (i + 1) & mask)
        {
            ref readonly var slot = ref slots[i];
            if (slot.Node is null || slot.Key == key)
            {
                return slot.Node; // an empty slot ends the probe: the table is at most half full
            }
        }
    }

    // Fibonacci hashing: the top bits of key * 2^64/phi spread consecutive ids over the table.
    private int Home(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> _shift);

    // Another odd multiplier for the filter, so that keys sharing a home slot rarely share a filter bit too.
    private ulong FilterBit(long key) => ((ulong)key * 0xC2B2AE3D27D4EB4FUL) >> _filterShift;

    private readonly record struct Slot(long Key, IndexNode? Node);
}

/// <summary>
/// Prefixes (or suffixes) in a radix tree: edges labelled with runs of chars, walked from the value's start (from its end
/// for suffixes). A lookup compares each edge's run at once and stops where the value leaves the tree, so it costs the
/// few branch points on its way (event types share "dataworks:", file names their layer), not a probe per key length:
/// a set of event-type suffixes has some twenty lengths, and a value walked through several tables paid each of them.
/// </summary>
internal sealed class AffixTable(bool suffix)
{
    private readonly Dictionary<string, IndexNode> _keys = new(StringComparer.Ordinal);
    private Edge _root = new("");

    public void Add(string affix, IndexNode child) => _keys[affix] = child;

    // Built from the keys sorted in walking order (a suffix reversed), where the keys below one edge are a contiguous
    // range and their common run is the first and last key's: memory in keys and edges, not in chars, and no recursion
    // (10,000 keys each one char longer than the last make 10,000 levels).
    public void Seal()
    {
        var keys = _keys.Select(pair => (Walk: suffix ? Reversed(pair.Key) : pair.Key, Node: pair.Value))
            .OrderBy(key => key.Walk, StringComparer.Ordinal).ToArray();
        _root = new Edge("");
        var pending = new Stack<(Edge Edge, int Low, int High, int Depth)>();
        pending.Push((_root, 0, keys.Length, 0));
        while (pending.TryPop(out var range))
        {
            var (edge, low, high, depth) = range;
            if (low < high && keys[low].Walk.Length == depth)
            {
                edge.Target = keys[low++].Node; // the key that ends here sorts first
            }

            var firstChars = new List<char>();
            var children = new List<Edge>();
            while (low < high)
            {
                var first = keys[low].Walk[depth];
                var end = low + 1;
                while (end < high && keys[end].Walk[depth] == first)
                {
                    end++;
                }

                var common = CommonLength(keys[low].Walk, keys[end - 1].Walk, depth);
                var walked = keys[low].Walk.Substring(depth, common);
                var child = new Edge(suffix ? Reversed(walked) : walked); // a run is kept in the value's order
                firstChars.Add(first);
                children.Add(child);
                pending.Push((child, low, end, depth + common));
                low = end;
            }

            edge.FirstChars = [.. firstChars];
            edge.Children = [.. children];
        }
    }

    public void Collect(ReadOnlySpan<char> text, List<IndexNode> output)
    {
        var edge = _root;
        var walked = 0;
        while (true)
        {
            if (edge.Target is not null)
            {
                output.Add(edge.Target);
            }

            if (walked == text.Length || edge.Next(suffix ? text[^(walked + 1)] : text[walked]) is not { } next)
            {
                return;
            }

            var length = next.Run.Length;
            if (text.Length - walked < length
                || !(suffix ? text.Slice(text.Length - walked - length, length) : text.Slice(walked, length)).SequenceEqual(next.Run))
            {
                return;
            }

            walked += length;
            edge = next;
        }
    }

    private static string Reversed(string text) => string.Create(text.Length, text, static (chars, source) =>
    {
        source.CopyTo(chars);
        chars.Reverse();
    });

    // How many chars a and b share from `from` on.
    private static int CommonLength(string a, string b, int from)
    {
        var length = Math.Min(a.Length, b.Length) - from;
        return a.AsSpan(from, length).CommonPrefixLength(b.AsSpan(from, length));
    }

    private sealed class Edge(string run)
    {
        /// <summary>The chars this edge walks, in the value's order (the first walked is first for prefixes, last for suffixes).</summary>
        public string Run { get; } = run;

        /// <summary>The key that ends where this edge ends, if any (set once, by <see cref="Seal"/>).</summary>
        public IndexNode? Target { get; set; }

        public char[] FirstChars { get; set; } = [];

        public Edge[] Children { get; set; } = [];

        /// <summary>The child whose run starts (in walking order) with <paramref name="c"/>: a short scan, or a binary search in a wide node.</summary>
        public Edge? Next(char c)
        {
            var i = SortedChars.IndexOf(FirstChars, c);
            return i >= 0 ? Children[i] : null;
        }
    }
}

/// <summary>
/// The parts values must contain (<c>contains</c>, wildcards with stars at both ends), in an Aho-Corasick automaton: one
/// walk over the value's chars finds every part it holds, whatever the number of parts, where checking each pattern
/// would cost a search of the value per pattern (1,000 such patterns on a file name: 1,000 searches per event). Each
/// part found adds its node once, however often it occurs in the value.
/// </summary>
internal sealed class SubstringTable
{
    private readonly Dictionary<string, IndexNode> _keys = new(StringComparer.Ordinal);

    // The automaton in flat arrays, by state (0 is the start): state s's edges are _edgeChars/_edgeNext[_edgeStart[s] ..
    // _edgeStart[s + 1]), sorted by char; _fail[s] is where the walk goes on when no edge takes the next char; _output[s]
    // the nearest state down the failure links that ends a part (0: none); _partAt[s] the part ending at s (-1: none), an
    // index into _parts, the parts' nodes. The walk's stamps are kept per part, not per state: a thread's scratch is
    // as long as the table's parts, not as all their chars (up to 64 times more).
    private int[] _edgeStart = [0, 0];
    private char[] _edgeChars = [];
    private int[] _edgeNext = [];
    private int[] _fail = [0];
    private int[] _output = [0];
    private int[] _partAt = [-1];
    private IndexNode[] _parts = [];
    private SearchValues<char> _firstChars = SearchValues.Create(string.Empty);

    /// <summary>
    /// The parts themselves, for the vectorized search of .NET's <see cref="SearchValues{T}"/> of strings (Teddy: it
    /// tells where a part may begin by its first chars together, where <see cref="_firstChars"/> knows one char): a long
    /// SQL text in the letters the parts begin with took the automaton a step per char, ~8 ns each (18 KB: 150 µs).
    /// Null past <see cref="SearchedParts"/> parts, where the search stops paying for itself.
    /// </summary>
    private SearchValues<string>? _partStarts;

    /// <summary>
    /// The most parts searched by <see cref="_partStarts"/>; a larger table walks the automaton alone. On 18 KB SQL texts
    /// full of names that begin like the parts, per event: 10 parts 102 -> 27 µs, 40 parts 104 -> 33, 60 parts 124 -> 38,
    /// 70 parts 113 -> 60, 100 parts no gain, 10,000 parts a loss (bench/README.md, "Seventh pass at item 2").
    /// </summary>
    internal const int SearchedParts = 64;

    /// <summary>Shorter values walk the automaton: a file name is read in fewer steps than the search takes to start.</summary>
    internal const int SearchedLength = 64;

    /// <summary>
    /// The automaton's moves on ASCII chars, failures taken ahead of time (a DFA): row s holds, for each char below 128,
    /// the state the walk reaches from s. A walk past the parts' shared beginnings ("ods_payments_" against
    /// "ods_stock_430") followed failure links char after char; with the rows it is one load per char. A move to a state
    /// that ends a part (itself or down its output chain) carries <see cref="Reports"/>, so the walk need not look it up.
    /// Null past <see cref="DenseStates"/> states (a table's rows stay within 2 MB), once the set's
    /// <see cref="DenseMoveBudget"/> is spent, and for tables sealed without one.
    /// </summary>
    private ushort[]? _dense;

    /// <summary>The most states given rows (128 two-byte moves each: 2 MB at most).</summary>
    internal const int DenseStates = 8192;

    /// <summary>The bit of a dense move that says its state ends a part (states are below <see cref="DenseStates"/>).</summary>
    private const int Reports = 0x8000;

    /// <summary>Chars at the start state, in a row, before a dense walk skips ahead with the vectorized search.</summary>
    private const int IdleBeforeSkip = 16;

    // The start state's edges for ASCII chars, by char (0: none): the walk comes back to the start after most chars of a
    // value, and its edges are the most (every char a part begins with), so this one lookup is a load, not a search.
    private int[] _startAscii = new int[128];

    public void Add(string part, IndexNode child) => _keys[part] = child;

    public void Seal(DenseMoveBudget? dense)
    {
        _partStarts = _keys.Count is > 0 and <= SearchedParts && !_keys.ContainsKey("")
            ? SearchValues.Create([.. _keys.Keys], StringComparison.Ordinal)
            : null;
        var (edges, partAt) = Trie();
        Flatten(edges, partAt);
        var order = LinkFailures(edges);
        _dense = _partAt.Length <= DenseStates && dense?.TryTake(_partAt.Length * 128L) == true ? DenseMoves(order) : null;
        _keys.Clear();
    }

    /// <summary>The rows of <see cref="_dense"/>, breadth first so that a state's failure has its row before it.</summary>
    private ushort[] DenseMoves(List<int> breadthFirst)
    {
        var dense = new ushort[_partAt.Length * 128];
        foreach (var state in breadthFirst)
        {
            for (var c = (char)0; c < 128; c++)
            {
                var next = Next(state, c);
                dense[(state * 128) + c] = next != 0 || state == 0 ? (ushort)Flagged(next) : dense[(_fail[state] * 128) + c];
            }
        }

        return dense;
    }

    /// <summary>The trie of the parts: its edges in one table (a dictionary per state cost ~200 bytes per char of every part).</summary>
    private (Dictionary<(int State, char Char), int> Edges, List<int> PartAt) Trie()
    {
        var edges = new Dictionary<(int State, char Char), int>();
        var partAt = new List<int> { -1 };
        var parts = new List<IndexNode>(_keys.Count);
        foreach (var (part, node) in _keys)
        {
            var at = 0;
            foreach (var c in part)
            {
                if (!edges.TryGetValue((at, c), out var next))
                {
                    next = partAt.Count;
                    edges.Add((at, c), next);
                    partAt.Add(-1);
                }

                at = next;
            }

            partAt[at] = parts.Count;
            parts.Add(node);
        }

        _parts = [.. parts];
        return (edges, partAt);
    }

    /// <summary>The edges in the flat arrays the walk reads, sorted by state then char, and the start state's tables.</summary>
    private void Flatten(Dictionary<(int State, char Char), int> edges, List<int> partAt)
    {
        var sorted = edges.OrderBy(edge => edge.Key.State).ThenBy(edge => edge.Key.Char).ToArray();
        _edgeStart = new int[partAt.Count + 1];
        foreach (var edge in sorted)
        {
            _edgeStart[edge.Key.State + 1]++;
        }

        for (var state = 0; state < partAt.Count; state++)
        {
            _edgeStart[state + 1] += _edgeStart[state];
        }

        _edgeChars = [.. sorted.Select(edge => edge.Key.Char)];
        _edgeNext = [.. sorted.Select(edge => edge.Value)];
        _partAt = [.. partAt];
        _firstChars = SearchValues.Create(_edgeChars.AsSpan(_edgeStart[0], _edgeStart[1] - _edgeStart[0]));
        for (var k = _edgeStart[0]; k < _edgeStart[1]; k++)
        {
            if (_edgeChars[k] < 128)
            {
                _startAscii[_edgeChars[k]] = _edgeNext[k];
            }
        }
    }

    /// <summary>
    /// The failure links, breadth first, so that a state's link is set before its children's: a child's is the longest
    /// proper suffix of its text that is also a state (the start's children fail to the start); and each state's output
    /// link, the nearest state down its failure links that ends a part.
    /// </summary>
    private List<int> LinkFailures(Dictionary<(int State, char Char), int> edges)
    {
        _fail = new int[_partAt.Length];
        _output = new int[_partAt.Length];
        var order = new List<int>(_partAt.Length) { 0 };
        var queue = new Queue<int>(_edgeNext[_edgeStart[0].._edgeStart[1]]);
        while (queue.TryDequeue(out var at))
        {
            order.Add(at);
            for (var k = _edgeStart[at]; k < _edgeStart[at + 1]; k++)
            {
                var (c, child) = (_edgeChars[k], _edgeNext[k]);
                var back = _fail[at];
                while (back != 0 && !edges.ContainsKey((back, c)))
                {
                    back = _fail[back];
                }

                var fail = edges.GetValueOrDefault((back, c));
                _fail[child] = fail;
                _output[child] = _partAt[fail] >= 0 ? fail : _output[fail];
                queue.Enqueue(child);
            }
        }

        return order;
    }

    /// <summary>
    /// Adds the node of every part <paramref name="text"/> holds, once each. A part reported once in the walk is not
    /// reported again, nor are the shorter parts its output chain leads to (they were reported with it), so a value
    /// repeating a part costs its length, not its length times the parts.
    /// </summary>
    public void Collect(ReadOnlySpan<char> text, EventView view, List<IndexNode> output)
    {
        if (view.SubstringStamps.Length < _parts.Length)
        {
            view.SubstringStamps = new int[Math.Max(_parts.Length, 64)];
        }

        var reported = view.SubstringStamps;
        var walk = ++view.SubstringWalk;
        if (walk == int.MaxValue)
        {
            Array.Clear(reported);
            view.SubstringWalk = walk = 1;
        }

        var from = _partStarts is null || text.Length < SearchedLength ? 0 : Search(text, reported, walk, output);
        if (from < text.Length)
        {
            Walk(text, from, reported, walk, output);
        }
    }

    /// <summary>
    /// The parts found where the vectorized search says one may begin: from each such place, the trie's edges read the
    /// parts that begin there (each with the shorter parts it ends with, as the automaton reports them). Returns where
    /// the search stopped: the end, or where the places came so thick that the automaton's one step per char is
    /// cheaper (a value of "aaaa..." against a part of a's), from which <see cref="Walk"/> goes on. The budget keeps a
    /// value's cost linear in its length whatever it holds.
    /// </summary>
    private int Search(ReadOnlySpan<char> text, int[] reported, int walk, List<IndexNode> output)
    {
        var budget = (2 * text.Length) + 64;
        var i = 0;
        while (i < text.Length)
        {
            var found = text[i..].IndexOfAny(_partStarts!);
            if (found < 0)
            {
                return text.Length;
            }

            i += found;
            budget -= 8; // a search call counts as 8 steps (its setup): places a few chars apart spend the budget sooner
            var at = FromStart(text[i]);
            for (var j = i + 1; at != 0; j++)
            {
                if (--budget < 0)
                {
                    // The parts that begin before i are all reported; the automaton, from its start, finds those from i on.
                    return i;
                }

                if (_partAt[at] >= 0)
                {
                    Report(at, reported, walk, output);
                }

                at = j < text.Length ? Next(at, text[j]) : 0;
            }

            i++;
        }

        return text.Length;
    }

    /// <summary>The Aho-Corasick walk over the value from <paramref name="from"/>, reporting every part that begins there or after.</summary>
    private void Walk(ReadOnlySpan<char> text, int from, int[] reported, int walk, List<IndexNode> output)
    {
        if (_dense is { } dense)
        {
            WalkDense(dense, text, from, reported, walk, output);
            return;
        }

        var at = 0;
        for (var i = from; i < text.Length;)
        {
            var c = text[i];
            if (at == 0)
            {
                at = FromStart(c);
                if (at == 0)
                {
                    // At the start only a char that begins some part leads anywhere: a vectorized search skips the others
                    // (a long description in letters no part starts with costs a few instructions, not a step per char).
                    if ((i = NextStart(text, i)) < 0)
                    {
                        return;
                    }

                    at = FromStart(text[i]);
                }

                i++;
            }
            else
            {
                i++;
                at = Move(at, c);
            }

            // Most states end no part: checked here, not by a call per char (a long SQL text spent a fifth of its walk there).
            if (_partAt[at] >= 0 || _output[at] != 0)
            {
                Report(at, reported, walk, output);
            }
        }
    }

    /// <summary>
    /// The walk by the precomputed moves on ASCII chars (the failure links for others). A run of chars that begin no part
    /// is skipped with the vectorized search once it is <see cref="IdleBeforeSkip"/> long: a call per word of a text in
    /// the parts' own letters would cost more than the moves it saves.
    /// </summary>
    private void WalkDense(ushort[] dense, ReadOnlySpan<char> text, int from, int[] reported, int walk, List<IndexNode> output)
    {
        var (at, idle) = (0, 0);
        for (var i = from; i < text.Length;)
        {
            var c = text[i++];
            int move = c < 128 ? dense[(at * 128) + c] : Flagged(Move(at, c));
            at = move & ~Reports;
            if (move >= Reports)
            {
                Report(at, reported, walk, output);
            }

            idle = at == 0 ? idle + 1 : 0;
            if (idle == IdleBeforeSkip && i < text.Length)
            {
                idle = 0;
                if ((i = NextStart(text, i)) < 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The state <paramref name="c"/> leads to from <paramref name="at"/>, down the failure links: the automaton's move.</summary>
    private int Move(int at, char c)
    {
        int next;
        while ((next = Next(at, c)) == 0 && at != 0)
        {
            at = _fail[at];
        }

        return next;
    }

    /// <summary>A state as a dense move: with <see cref="Reports"/> when it ends a part.</summary>
    private int Flagged(int state) => state | (_partAt[state] >= 0 || _output[state] != 0 ? Reports : 0);

    /// <summary>The parts that end at state <paramref name="at"/>, down its output chain, each once per walk.</summary>
    private void Report(int at, int[] reported, int walk, List<IndexNode> output)
    {
        for (var found = _partAt[at] >= 0 ? at : _output[at]; found != 0; found = _output[found])
        {
            var part = _partAt[found];
            if (reported[part] == walk)
            {
                break;
            }

            reported[part] = walk;
            output.Add(_parts[part]);
        }
    }

    /// <summary>Where the next char that begins some part is, from <paramref name="i"/> (a vectorized search); -1: none.</summary>
    private int NextStart(ReadOnlySpan<char> text, int i) => text[i..].IndexOfAny(_firstChars) is var skip and >= 0 ? i + skip : -1;

    /// <summary>The state the char leads to from the start, or 0.</summary>
    private int FromStart(char c) => c < 128 ? _startAscii[c] : Next(0, c);

    /// <summary>The state the char leads to from <paramref name="state"/>, or 0: a short scan, or a binary search in a wide state.</summary>
    private int Next(int state, char c)
    {
        var from = _edgeStart[state];
        var i = SortedChars.IndexOf(_edgeChars.AsSpan(from, _edgeStart[state + 1] - from), c);
        return i >= 0 ? _edgeNext[from + i] : 0;
    }
}

/// <summary>
/// The precomputed automaton moves one compiled set may hold, over all its substring tables (two bytes each): a table's
/// rows cost 256 bytes per state, and a set lists the parts of a pattern under up to 64 index nodes, each node's table
/// its own. Without a bound, policies spreading long <c>contains</c> parts over many fields and types could make the
/// rows take gigabytes; past it, tables walk by their failure links as they did before the rows existed.
/// </summary>
internal sealed class DenseMoveBudget(long moves)
{
    /// <summary>The budget of one set: 8 MB of rows.</summary>
    public const long PerSet = 1L << 22;

    public long Remaining { get; private set; } = moves;

    /// <summary>Takes <paramref name="moves"/> if that many are left.</summary>
    public bool TryTake(long moves)
    {
        if (moves > Remaining)
        {
            return false;
        }

        Remaining -= moves;
        return true;
    }
}

/// <summary>
/// Where a char is among the sorted first chars of a tree's branches (the radix tree's and the automaton's): a short
/// scan for the few branches most nodes have, a binary search in a wide node. On a span: the array overload of
/// BinarySearch went through the comparer-based helper, 2 % of a profile where wide nodes were walked.
/// </summary>
internal static class SortedChars
{
    public static int IndexOf(ReadOnlySpan<char> chars, char c)
    {
        if (chars.Length > 8)
        {
            return chars.BinarySearch(c);
        }

        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == c)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// A static centered interval tree over closed double ranges: a lookup costs O(log n + hits). Each node holds the
/// ranges containing its center, sorted by low (scanned when the value is left of the center) and by high descending
/// (scanned when right of it).
/// </summary>
internal sealed class IntervalIndex
{
    private readonly TreeNode? _root;

    public IntervalIndex(List<Entry> entries) =>
        _root = Build([.. entries.Where(e => e.Low <= e.High)]); // an empty range never matches: nothing to index

    public readonly record struct Entry(double Low, double High, IndexNode Target);

    public void Collect(double value, List<IndexNode> output)
    {
        for (var node = _root; node is not null;)
        {
            if (value < node.Center)
            {
                foreach (var e in node.ByLow)
                {
                    if (e.Low > value)
                    {
                        break;
                    }

                    output.Add(e.Target);
                }

                node = node.Left;
            }
            else if (value > node.Center)
            {
                foreach (var e in node.ByHighDescending)
                {
                    if (e.High < value)
                    {
                        break;
                    }

                    output.Add(e.Target);
                }

                node = node.Right;
            }
            else
            {
                foreach (var e in node.ByLow)
                {
                    output.Add(e.Target);
                }

                return;
            }
        }
    }

    private static TreeNode? Build(List<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return null;
        }

        // The center is a finite endpoint (the median one), so at least the range owning it stays here: progress.
        var endpoints = entries.SelectMany(e => new[] { e.Low, e.High }).Where(double.IsFinite).Order().ToList();
        var center = endpoints.Count == 0 ? 0 : endpoints[endpoints.Count / 2];
        var here = entries.Where(e => e.Low <= center && center <= e.High).ToList();
        return new TreeNode
        {
            Center = center,
            ByLow = [.. here.OrderBy(e => e.Low)],
            ByHighDescending = [.. here.OrderByDescending(e => e.High)],
            Left = Build([.. entries.Where(e => e.High < center)]),
            Right = Build([.. entries.Where(e => e.Low > center)]),
        };
    }

    private sealed class TreeNode
    {
        public double Center { get; init; }

        public Entry[] ByLow { get; init; } = [];

        public Entry[] ByHighDescending { get; init; } = [];

        public TreeNode? Left { get; init; }

        public TreeNode? Right { get; init; }
    }
}

/// <summary>
/// Builds the candidate tree (used once). At each node, while more than one pattern remains, it picks the path whose
/// keys split the remaining patterns best (most patterns constrained, smallest largest group), moves those
/// patterns into one child per key (recursively, with that predicate consumed), and keeps the others for the next
/// path. With real policy sets this puts `type` first (nearly every policy has one exact type) and then workspace,
/// operator, file name...: the patterns left to verify per event are those sharing every key with it. Past a bounded
/// amount of counting per node, and for paths that do not split the patterns among themselves (one pattern on a
/// field), the rest go by one ranking of the paths: the build stays linear in the listings whatever the fields.
/// </summary>
internal sealed class CandidateIndexBuilder
{
    // A node splits on while it holds more patterns than this and some path can split them: stopping at four left up to
    // four cold checks per node reached, where one more table probe (mostly finding nothing) would spare them.
    private const int LeafSize = 1;

    // The fewest patterns at a node for a split by presence alone (exists: true, see ChoosePath).
    private const int PresenceSplitMinimum = 8;

    // Splits are chosen one after the other at a node, each after counting the items left, while the items counted
    // stay under this many times the node's (a split that takes most items leaves room for many more); then one ranking.
    private const int ChoiceWork = 4;

    // A pattern listed under k keys is copied into k children; the product of copies along its path stays under
    // this bound so that multi-valued leaves ("type": [30 types], "projectId": [40 ids]) cannot blow up the tree.
    private const int MaxCopies = 64;

    // Past MaxCopies, up to this many, while the set's budget of extra listings lasts: a policy over a list of 100
    // workspaces (a registry set) was listed by its type alone, and verified, list and all, for every event of the type.
    private const int MaxWideCopies = 1024;

    // The extra listings (beyond MaxCopies per pattern) the whole set may still make: each is an item in the build and
    // an id in a scan list, so the budget bounds the build's memory and time whatever lists the policies hold.
    private long _wideListings;

    private readonly List<IndexNode> _nodes = [];
    private readonly List<FieldPartition> _partitions = [];
    private IReadOnlyList<bool> _keysDecide = [];

    public int NodeCount => _nodes.Count;

    /// <summary>
    /// Items counted to choose splits over the whole build: the build's work, bounded by a few times the listings per
    /// level.
    /// </summary>
    public long CountedItems { get; private set; }

    /// <summary>The automaton moves precomputed for the index's substring tables (within <see cref="DenseMoveBudget.PerSet"/>).</summary>
    public long DenseMoves { get; private set; }

    /// <param name="entriesByPattern">
    /// Each pattern's entries: alternatives, each a list of access predicates that all hold in an event the pattern
    /// matches through it (one entry for a pattern without $or). The pattern is listed wherever one of its entries leads.
    /// </param>
    /// <param name="keysDecide">
    /// Per pattern: its predicates are its whole condition, each key hit exactly when its leaf passes (see
    /// <see cref="CompiledPatternSetBuilder"/>). Such a pattern is decided at a node where all its predicates were consumed.
    /// </param>
    public IndexNode Build(IReadOnlyList<AccessPredicate[][]> entriesByPattern, IReadOnlyList<bool> keysDecide)
    {
        _keysDecide = keysDecide;
        _wideListings = (64L * entriesByPattern.Count) + 65_536;
        var items = new List<Item>(entriesByPattern.Count);
        for (var i = 0; i < entriesByPattern.Count; i++)
        {
            items.AddRange(entriesByPattern[i].Select(entry => new Item(i, entry, 1))); // never changed: an item takes a predicate out by a copy
        }

        var root = Build(items);
        var dense = new DenseMoveBudget(DenseMoveBudget.PerSet);
        foreach (var partition in _partitions)
        {
            partition.Seal(dense);
        }

        DenseMoves = DenseMoveBudget.PerSet - dense.Remaining;

        MarkRepeatedPatterns(entriesByPattern.Count);
        return root;
    }

    /// <summary>Fills every node's <see cref="IndexNode.Blocks"/> from its scan list.</summary>
    public void PointToBlocks(PatternPrograms programs)
    {
        foreach (var node in _nodes)
        {
            var blocks = node.Scan.Length == 0 ? [] : new int[node.Scan.Length];
            for (var i = 0; i < blocks.Length; i++)
            {
                var code = node.Scan[i];
                blocks[i] = code < 0 ? ~programs.StartOf(~code) : programs.StartOf(code);
            }

            node.Blocks = blocks;
            node.Decided = Shared(node.Decided);
        }
    }

    // Most nodes have nothing to verify or nothing decided: one shared empty array (always cached) instead of one
    // empty array per node, which the walk would read as one more cold cache line per node at 10,000 patterns.
    private static int[] Shared(int[] list) => list.Length == 0 ? [] : list;

    // A pattern listed under several keys sits in several scan lists and may be proposed twice in one event: those
    // entries become ~id, and only they need the per-event "verified already" stamp (a cache miss per pattern at
    // 10,000 patterns); a pattern listed once is reached at most once, as its node is (see CompiledPatternSet.Visit).
    private void MarkRepeatedPatterns(int patternCount)
    {
        var listings = new int[patternCount];
        foreach (var node in _nodes)
        {
            Count(node.Scan, listings);
            Count(node.Decided, listings);
        }

        // In place: each node's lists are its own (a large set has a node per listing, and a copy of each list per node
        // was a tenth of the build).
        foreach (var node in _nodes)
        {
            MarkRepeated(node.Scan, listings);
            MarkRepeated(node.Decided, listings);
        }
    }

    private static void Count(int[] ids, int[] listings)
    {
        foreach (var id in ids)
        {
            listings[id]++;
        }
    }

    private static void MarkRepeated(int[] ids, int[] listings)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if (listings[ids[i]] > 1)
            {
                ids[i] = ~ids[i];
            }
        }
    }

    private IndexNode Build(List<Item> items)
    {
        var node = new IndexNode(_nodes.Count);
        _nodes.Add(node);
        if (items.Count == 1)
        {
            // A leaf (most nodes of a set with long lists: a node per listing): nothing to split, one pattern to list.
            var only = items[0];
            if (_keysDecide[only.Pattern] && only.Remaining.Length == 0)
            {
                node.Decided = [only.Pattern];
            }
            else
            {
                node.Scan = [only.Pattern];
            }

            return node;
        }

        var rest = items;
        var partitions = new List<FieldPartition>();
        // The best path, chosen again after each split (the counts change as patterns leave) while the items counted stay
        // within a few times the node's; the rest go by a ranking made once (SplitByRank). Choosing again after each of
        // thousands of paths cost time quadratic in the patterns: 10,000 patterns over 5,000 fields took 50 s to build.
        // (Most nodes of a large set hold patterns with every predicate consumed: nothing to count there.)
        var splittable = rest.Count > LeafSize && rest.Exists(i => i.Remaining.Length > 0);
        for (long counted = 0; splittable && counted < ChoiceWork * items.Count && rest.Count > LeafSize && ChoosePath(rest) is { } path; counted += rest.Count)
        {
            rest = Split(rest, path, partitions);
        }

        if (splittable && rest.Count > LeafSize)
        {
            rest = SplitByRank(rest, partitions);
        }

        // Every predicate consumed on the way here was hit by the event; with none left, a pattern whose keys are its
        // whole condition is decided (all copies of it here agree: a node lists a pattern once).
        (node.Scan, node.Decided) = ScanAndDecided(rest);
        node.Partitions = partitions.Count == 0 ? [] : [.. partitions];
        return node;
    }

    /// <summary>The node's patterns in the order first listed: to verify, and decided (see <see cref="Build(List{Item})"/>).</summary>
    private (int[] Scan, int[] Decided) ScanAndDecided(List<Item> rest)
    {
        if (rest.Count == 0)
        {
            return ([], []);
        }

        var order = new List<int>(rest.Count);
        var consumed = new Dictionary<int, bool>(rest.Count);
        foreach (var item in rest)
        {
            var done = item.Remaining.Length == 0;
            if (consumed.TryGetValue(item.Pattern, out var all))
            {
                consumed[item.Pattern] = all && done;
            }
            else
            {
                consumed.Add(item.Pattern, done);
                order.Add(item.Pattern);
            }
        }

        var scan = new List<int>(order.Count);
        var decided = new List<int>();
        foreach (var pattern in order)
        {
            (_keysDecide[pattern] && consumed[pattern] ? decided : scan).Add(pattern);
        }

        return ([.. scan], [.. decided]);
    }

    /// <summary>
    /// One partition on <paramref name="path"/>: each item with a usable predicate there goes under each of its keys,
    /// without it; the items without one are returned.
    /// </summary>
    private List<Item> Split(List<Item> rest, PathNode path, List<FieldPartition> partitions)
    {
        var groups = new Dictionary<IndexKey, List<Item>>();
        var others = new List<Item>();
        foreach (var item in rest)
        {
            var at = item.FindUsable(path, _wideListings);
            if (at < 0)
            {
                others.Add(item);
                continue;
            }

            var predicate = item.Remaining[at];
            if (item.Copies * predicate.Keys.Length > MaxCopies)
            {
                _wideListings -= (long)item.Copies * (predicate.Keys.Length - 1);
            }

            var child = item.Without(at, predicate.Keys.Length);
            foreach (var key in predicate.Keys)
            {
                if (!groups.TryGetValue(key, out var list))
                {
                    groups.Add(key, list = []);
                }

                list.Add(child);
            }
        }

        var partition = new FieldPartition(path);
        foreach (var (key, list) in groups)
        {
            partition.Add(key, Build(list));
        }

        partitions.Add(partition);
        _partitions.Add(partition);
        return others;
    }

    /// <summary>
    /// What the chosen splits left: each item goes by its best-ranked usable path (the scores of <see cref="Scores"/>,
    /// counted once), also where no path splits the items among themselves (score 0: one pattern on a field, or several
    /// on one value). Such a split still narrows by the events: a pattern on a field most events lack was verified for
    /// every event; now for those that have the value. Returns the items with no usable path.
    /// </summary>
    private List<Item> SplitByRank(List<Item> rest, List<FieldPartition> partitions)
    {
        var rank = Ranked(Scores(rest)).Select((s, i) => (s.Key, i)).ToDictionary();
        var byPath = new Dictionary<PathNode, List<Item>>();
        var others = new List<Item>();
        foreach (var item in rest)
        {
            PathNode? best = null;
            var bestRank = int.MaxValue;
            foreach (var predicate in item.Remaining)
            {
                if (rank.TryGetValue(predicate.Path, out var r) && r < bestRank && item.CanUse(predicate, _wideListings))
                {
                    (best, bestRank) = (predicate.Path, r);
                }
            }

            if (best is null)
            {
                others.Add(item);
            }
            else if (byPath.TryGetValue(best, out var group))
            {
                group.Add(item);
            }
            else
            {
                byPath.Add(best, [item]);
            }
        }

        foreach (var (path, group) in byPath.OrderBy(g => rank[g.Key]))
        {
            others.AddRange(Split(group, path, partitions));
        }

        return others;
    }

    // The best-scored path, if it takes any pattern out of the verified list: the first of Ranked, without sorting them
    // all (a node per listing chooses, most of them among one or two paths).
    private PathNode? ChoosePath(List<Item> items)
    {
        PathNode? best = null;
        var bestScore = 0.0;
        foreach (var (path, score) in Scores(items))
        {
            if (score > bestScore || (score == bestScore && best is not null && path.Id < best.Id))
            {
                (best, bestScore) = (path, score);
            }
        }

        return best;
    }

    // Best first: the highest score, ties to the path first added to the trie (so a build is the same every time).
    private static IOrderedEnumerable<KeyValuePair<PathNode, double>> Ranked(Dictionary<PathNode, double> scores) =>
        scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key.Id);

    /// <summary>
    /// Per path some item can split on: the patterns a split there takes out of the verified list (see ChoosePath).
    /// </summary>
    private Dictionary<PathNode, double> Scores(List<Item> items)
    {
        CountedItems += items.Count;
        var stats = new Dictionary<PathNode, (int Count, Dictionary<IndexKey, int> Groups)>();
        foreach (var item in items)
        {
            for (var i = 0; i < item.Remaining.Length; i++)
            {
                var predicate = item.Remaining[i];
                if (!item.CanUse(predicate, _wideListings) || item.FindUsable(predicate.Path, _wideListings) != i)
                {
                    continue;
                }

                if (!stats.TryGetValue(predicate.Path, out var s))
                {
                    s = (0, []); // not sized by the node: a node over 5,000 fields would size 5,000 tables for all its items
                }

                foreach (var key in predicate.Keys)
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(s.Groups, key, out _)++;
                }

                stats[predicate.Path] = (s.Count + 1, s.Groups);
            }
        }

        var scores = new Dictionary<PathNode, double>(stats.Count);
        foreach (var (path, s) in stats)
        {
            // Patterns taken out of the scan list, minus the ones still verified together in the largest child. A value
            // hits several overlapping ranges, and everything below is then walked once per range: a path of ranges counts
            // what a value reaches on average, divided by the ranges it hits on average, so that an exact key splitting as
            // well goes first ("tenant in [t, t+3)" beside "workspace is W").
            var (reached, hit) = RangeOverlap(s.Groups);
            // Patterns that only need the field present (exists: true) go to one child, reached by every event that has
            // the field: that narrows by the events, not among the patterns, so their group counts as half as large where
            // many patterns would otherwise be verified here (in a small node the extra node costs more than it spares).
            var largest = s.Groups.Where(g => !IsRange(g.Key))
                .Select(g => g.Key.Kind == IndexKeyKind.Present && items.Count > PresenceSplitMinimum ? g.Value / 2.0 : g.Value)
                .DefaultIfEmpty().Max();
            scores[path] = (s.Count - Math.Max(largest, reached)) / Math.Max(1, hit);
        }

        return scores;
    }

    // Over a path's range keys (closed intervals): how many patterns, and how many ranges, a value at the start of some
    // range reaches, on average over the ranges' starts (0, 0 without ranges).
    private static (double Patterns, double Ranges) RangeOverlap(Dictionary<IndexKey, int> groups)
    {
        var edges = new List<(double At, int Side, int Patterns)>();
        foreach (var (key, count) in groups)
        {
            if (IsRange(key) && key.Low <= key.High)
            {
                edges.Add((key.Low, 0, count)); // a start sorts before an end at the same point: both ranges hold it
                edges.Add((key.High, 1, count));
            }
        }

        edges.Sort();
        long patterns = 0, ranges = 0, patternSum = 0, rangeSum = 0, starts = 0;
        foreach (var (_, side, count) in edges)
        {
            patterns += side == 0 ? count : -count;
            ranges += side == 0 ? 1 : -1;
            if (side == 0)
            {
                patternSum += patterns;
                rangeSum += ranges;
                starts++;
            }
        }

        return starts == 0 ? (0, 0) : ((double)patternSum / starts, (double)rangeSum / starts);
    }

    // Numeric ranges and IPv4 networks: keys a value may hit several of at once (nested networks, overlapping ranges).
    private static bool IsRange(IndexKey key) => key.Kind is IndexKeyKind.Range or IndexKeyKind.AddressRange;

    private sealed class Item(int pattern, AccessPredicate[] remaining, int copies)
    {
        public int Pattern { get; } = pattern;

        public AccessPredicate[] Remaining { get; } = remaining;

        public int Copies { get; } = copies;

        public bool CanUse(AccessPredicate predicate, long wideListings)
        {
            var listings = (long)Copies * predicate.Keys.Length;
            return predicate.Keys.Length > 0
                && (listings <= MaxCopies || (listings <= MaxWideCopies && listings - Copies <= wideListings));
        }

        public int FindUsable(PathNode path, long wideListings)
        {
            for (var i = 0; i < Remaining.Length; i++)
            {
                if (Remaining[i].Path == path && CanUse(Remaining[i], wideListings))
                {
                    return i;
                }
            }

            return -1;
        }

        public Item Without(int index, int keyCount)
        {
            // One array per listing: a set with long lists makes an item for each of its 200,000 listings.
            var remaining = new AccessPredicate[Remaining.Length - 1];
            Remaining.AsSpan(0, index).CopyTo(remaining);
            Remaining.AsSpan(index + 1).CopyTo(remaining.AsSpan(index));
            return new Item(Pattern, remaining, Copies * keyCount);
        }
    }
}
