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
    private Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

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
        _childIndexes.Add(name, _children.Count);
        _children.Add(child);
        return child;
    }

    public int IndexOf(PathNode child) => _children.IndexOf(child);

    /// <summary>Freezes the node: lookups by span need no string per property name.</summary>
    public void Seal() => _lookup = _childIndexes.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The child index of <paramref name="name"/>, or -1 when no pattern reads it.</summary>
    public int FindChild(ReadOnlySpan<char> name) => _lookup.TryGetValue(name, out var index) ? index : -1;
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
