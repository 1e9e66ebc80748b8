using System.Runtime.CompilerServices;

namespace OpenEvent.Rules.Events;

/// <summary>
/// One node of the trie of event paths that some pattern or extra path reads. The reader walks the event and this
/// trie in step: a property with no child here is skipped (validated, never decoded into the event view).
/// Child indexes are dense per node, so an object instance of this node keeps its fields in a block of
/// <see cref="ChildCount"/> slots.
/// </summary>
internal sealed class PathNode
{
    private readonly Dictionary<string, int> _childIndexes = new(StringComparer.Ordinal);
    private readonly List<PathNode> _children = [];

    // The sealed lookup: open addressing over the children's UTF-8 names (power-of-two size, at most half full). One
    // array of slots, so a probe that misses (most names: fields no pattern reads) reads one slot, not three arrays.
    private Slot[] _slots = [new(null!, 0, -1)];
    private int _mask;
    private PathNode[] _sealedChildren = []; // the children as an array: the reader indexes it per read field
    private int _indexInParent = int.MaxValue;

    public PathNode(int id, string path)
    {
        Id = id;
        Path = path;
    }

    /// <summary>Dense id over the whole trie (the root is 0); indexes per-path arrays of the event view.</summary>
    public int Id { get; }

    /// <summary>The dotted path, for debugging and explain output.</summary>
    public string Path { get; }

    public int ChildCount => _children.Count;

    public IReadOnlyList<PathNode> Children => _children;

    public PathNode GetOrAddChild(string name, Func<PathNode, string, PathNode> create)
    {
        if (_childIndexes.TryGetValue(name, out var index))
        {
            return _children[index];
        }

        var child = create(this, name);
        child._indexInParent = _children.Count;
        _childIndexes.Add(name, _children.Count);
        _children.Add(child);
        return child;
    }

    /// <summary>
    /// The child's index here, or -1 for a node that is not a child. The child keeps it: a search of the list made
    /// building the trie quadratic in the children (5,000 fields under <c>data</c>).
    /// </summary>
    public int IndexOf(PathNode child) =>
        child._indexInParent < _children.Count && ReferenceEquals(_children[child._indexInParent], child) ? child._indexInParent : -1;

    /// <summary>The child at <paramref name="index"/> (of <see cref="FindChild"/>), once sealed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PathNode ChildAt(int index) => _sealedChildren[index];

    /// <summary>Freezes the node: children are then found by the UTF-8 bytes of a name and its <see cref="NameHash"/>.</summary>
    public void Seal()
    {
        var size = 1;
        while (size < _childIndexes.Count * 2)
        {
            size *= 2;
        }

        _slots = new Slot[size];
        Array.Fill(_slots, new Slot(null!, 0, -1));
        _mask = size - 1;
        _sealedChildren = [.. _children];
        foreach (var (name, index) in _childIndexes)
        {
            if (!TryEncode(name, out var bytes))
            {
                continue; // not valid UTF-16 (a lone surrogate): no valid event has such a name
            }

            var hash = NameHash.Of(bytes);
            var slot = hash & _mask;
            while (_slots[slot].Index >= 0)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = new Slot(bytes, hash, index);
        }
    }

    private static bool TryEncode(string name, out byte[] bytes)
    {
        var buffer = new byte[name.Length * 3];
        var status = System.Text.Unicode.Utf8.FromUtf16(name, buffer, out _, out var written, replaceInvalidSequences: false);
        bytes = buffer[..written];
        return status == System.Buffers.OperationStatus.Done;
    }

    /// <summary>The child index of the name (its UTF-8 bytes, unescaped, and their <see cref="NameHash"/>), or -1 when no pattern reads it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindChild(ReadOnlySpan<byte> name, int hash)
    {
        var slots = _slots;
        for (var slot = hash & _mask; ; slot = (slot + 1) & _mask)
        {
            ref readonly var entry = ref slots[slot];
            if (entry.Index < 0 || (entry.Hash == hash && name.SequenceEqual(entry.Name)))
            {
                return entry.Index;
            }
        }
    }

    private readonly record struct Slot(byte[] Name, int Hash, int Index);
}

/// <summary>Builds the path trie (used once by the set builder).</summary>
internal sealed class PathTrieBuilder
{
    private readonly List<PathNode> _nodes = [];

    public PathTrieBuilder()
    {
        Root = new PathNode(0, "");
        _nodes.Add(Root);
    }

    public PathNode Root { get; }

    public IReadOnlyList<PathNode> Nodes => _nodes;

    public PathNode Child(PathNode parent, string name) => parent.GetOrAddChild(name, Create);

    /// <summary>The node of a path given as member names from the root (made along the way where missing).</summary>
    public PathNode Node(IEnumerable<string> names)
    {
        var node = Root;
        foreach (var name in names)
        {
            node = Child(node, name);
        }

        return node;
    }

    public void Seal()
    {
        foreach (var node in _nodes)
        {
            node.Seal();
        }
    }

    private PathNode Create(PathNode parent, string name)
    {
        var node = new PathNode(_nodes.Count, parent.Path.Length == 0 ? name : parent.Path + "." + name);
        _nodes.Add(node);
        return node;
    }
}
