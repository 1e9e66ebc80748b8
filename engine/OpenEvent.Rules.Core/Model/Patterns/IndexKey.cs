namespace OpenEvent.Rules.Model.Patterns;

/// <summary>The kinds of key a leaf-list entry can be indexed by (each a table of the compiled matcher's candidate index).</summary>
internal enum IndexKeyKind
{
    String,
    Upper,
    Prefix,
    PrefixUpper,
    Suffix,
    SuffixUpper,
    Contains,
    Number,
    True,
    False,
    Null,
    Range,

    /// <summary>An IPv4 network (<c>cidr</c>): a range of addresses, hit by a string that is an IPv4 address inside it.</summary>
    AddressRange,

    /// <summary>The field has a leaf value (<c>exists: true</c>): hit by every value, whatever it is.</summary>
    Present,
}

/// <summary>
/// A necessary condition an entry puts on a value, as the candidate index can look it up: every value the entry
/// accepts hits the key (an exact string, a folded string, a prefix or suffix, a part of a string, a number,
/// true/false/null, a range, an IPv4 network, or any value at all for <c>exists: true</c>).
/// A key only narrows; the entry's <see cref="ValueTest"/> decides. Ranges are closed and in double: a superset of the
/// exact range.
/// </summary>
internal readonly record struct IndexKey(IndexKeyKind Kind, string? Text, JsonNumber Number, double Low, double High)
{
    /// <summary>
    /// The most chars of a part (<see cref="IndexKeyKind.Contains"/>) the index keeps: a longer part is keyed by its first
    /// chars (a value holding the part holds them too) and then checked whole. The index's automaton costs some tens of
    /// bytes per char of its parts; this bounds it by the number of parts, not by how long authors write them.
    /// </summary>
    public const int MaxPartLength = 64;

    public static IndexKey Of(IndexKeyKind kind, string text) => new(kind, text, default, 0, 0);

    /// <summary>A part the value must contain, cut to <see cref="MaxPartLength"/>.</summary>
    public static IndexKey OfPart(string part) => Of(IndexKeyKind.Contains, part.Length > MaxPartLength ? part[..MaxPartLength] : part);

    public static IndexKey Of(IndexKeyKind kind) => new(kind, null, default, 0, 0);

    public static IndexKey OfNumber(JsonNumber number) => new(IndexKeyKind.Number, null, number, 0, 0);

    public static IndexKey OfRange(double low, double high) => new(IndexKeyKind.Range, null, default, low, high);

    public static IndexKey OfAddressRange(uint low, uint high) => new(IndexKeyKind.AddressRange, null, default, low, high);

    // Equal by what the kind uses (the factories leave the other fields default). The generated equality compared all
    // five fields, the number through its full comparison, at each of the millions of lookups a large set's build makes
    // (the index groups every listing by its key at each level).
    public bool Equals(IndexKey other) => Kind == other.Kind && Kind switch
    {
        IndexKeyKind.Number => Number.Equals(other.Number),
        IndexKeyKind.Range or IndexKeyKind.AddressRange => Low.Equals(other.Low) && High.Equals(other.High),
        IndexKeyKind.True or IndexKeyKind.False or IndexKeyKind.Null or IndexKeyKind.Present => true,
        _ => string.Equals(Text, other.Text, StringComparison.Ordinal),
    };

    // Computed once: the build hashes each key at every level of the index it is listed at (a text's hash reads all of
    // its chars). `with` would keep a stale hash; keys are only made by the factories above.
    private readonly int _hash = Hash(Kind, Text, Number, Low, High);

    public override int GetHashCode() => _hash;

    private static int Hash(IndexKeyKind kind, string? text, JsonNumber number, double low, double high) => kind switch
    {
        IndexKeyKind.Number => HashCode.Combine(kind, number),
        IndexKeyKind.Range or IndexKeyKind.AddressRange => HashCode.Combine(kind, low, high),
        IndexKeyKind.True or IndexKeyKind.False or IndexKeyKind.Null or IndexKeyKind.Present => (int)kind,
        _ when text is null => (int)kind, // as default(IndexKey) hashes: 0
        _ => HashCode.Combine(kind, StringComparer.Ordinal.GetHashCode(text)),
    };
}
