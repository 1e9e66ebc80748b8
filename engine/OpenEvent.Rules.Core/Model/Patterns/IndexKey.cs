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
}

/// <summary>
/// A necessary condition an entry puts on a value, as the candidate index can look it up: every value the entry
/// accepts hits the key (an exact string, a folded string, a prefix or suffix, a part of a string, a number,
/// true/false/null, a range, an IPv4 network).
/// A key only narrows; the entry's <see cref="ValueTest"/> decides. Ranges are closed and in double: a superset of the
/// exact range.
/// </summary>
internal readonly record struct IndexKey(IndexKeyKind Kind, string? Text, JsonNumber Number, double Low, double High)
{
    public static IndexKey Of(IndexKeyKind kind, string text) => new(kind, text, default, 0, 0);

    public static IndexKey Of(IndexKeyKind kind) => new(kind, null, default, 0, 0);

    public static IndexKey OfNumber(JsonNumber number) => new(IndexKeyKind.Number, null, number, 0, 0);

    public static IndexKey OfRange(double low, double high) => new(IndexKeyKind.Range, null, default, low, high);

    public static IndexKey OfAddressRange(uint low, uint high) => new(IndexKeyKind.AddressRange, null, default, low, high);
}
