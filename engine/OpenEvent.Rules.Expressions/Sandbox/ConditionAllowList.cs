using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;

namespace OpenEvent.Rules.Expressions.Sandbox;

/// <summary>
/// The API surface a condition may touch, by type and member. This is an allow-list: a type that is not
/// here is refused wherever it appears (member access, object creation, cast, typeof, generic argument,
/// lambda parameter, pattern). docs/conditions.md lists the same surface for authors.
/// </summary>
internal static class ConditionAllowList
{
    /// <summary>Raised whenever a rule changes, so that cached assemblies compiled under older rules are not reused.</summary>
    public const string Version = "conditions-allow-list/5";

    public const string ApiNamespace = "OpenEvent.Rules.Evaluation.Conditions";

    /// <summary>Enumerable methods that consume a sequence. Range, Repeat, Sequence and InfiniteSequence are absent on purpose: a condition iterates over event data, never over a sequence it invents.</summary>
    private static readonly string[] EnumerableMethods =
    [
        "Aggregate", "AggregateBy", "All", "Any", "Append", "Average", "Cast", "Chunk", "Concat", "Contains", "Count", "CountBy",
        "DefaultIfEmpty", "Distinct", "DistinctBy", "ElementAt", "ElementAtOrDefault", "Empty", "Except", "ExceptBy",
        "First", "FirstOrDefault", "GroupBy", "Index", "Intersect", "IntersectBy", "Last", "LastOrDefault", "LongCount",
        "Max", "MaxBy", "Min", "MinBy", "OfType", "Order", "OrderBy", "OrderByDescending", "OrderDescending", "Prepend",
        "Reverse", "Select", "SelectMany", "SequenceEqual", "Single", "SingleOrDefault", "Skip", "SkipLast", "SkipWhile",
        "Sum", "Take", "TakeLast", "TakeWhile", "ThenBy", "ThenByDescending", "ToArray", "ToDictionary", "ToHashSet",
        "ToList", "ToLookup", "Union", "UnionBy", "Where", "Zip",
    ];

    // Static initializers run in order: these must precede Fingerprint.
    private static readonly FrozenSet<string> ApiTypes = new[]
    {
        "ConditionEvent", "ConditionNode", "ScopeValues",
        // The event's detail (e.Detail) and the SQL helpers (e.Sql, e.Detail.Sql): read-only views, internal constructors.
        "ConditionDetail", "DetailFile", "DetailNodeConfiguration", "DetailTable", "DetailColumn", "SqlScript", "SqlStatement",
    }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly TypeRule ConditionEventRule = new(Constructors: ConstructorRule.Denied);
    private static readonly TypeRule OtherApiRule = new();
    private static readonly TypeRule All = new(); // every member of the type
    private static readonly FrozenDictionary<string, TypeRule> Rules = BuildRules();

    /// <summary>A stable digest of every rule: part of the assembly cache key.</summary>
    public static string Fingerprint { get; } = ComputeFingerprint();

    /// <summary>The rule for a type definition, by metadata name ("System.Collections.Generic.List`1"); null when the type is not allowed.</summary>
    public static TypeRule? Find(INamedTypeSymbol definition)
    {
        var name = MetadataName(definition);
        if (Rules.TryGetValue(name, out var rule))
        {
            return rule;
        }

        // The condition view itself, and nothing else from OpenEvent.Rules.
        return definition.ContainingNamespace?.ToDisplayString() == ApiNamespace && definition.DeclaredAccessibility == Accessibility.Public
            && ApiTypes.Contains(definition.MetadataName)
            ? ApiRule(definition.MetadataName)
            : null;
    }

    public static string MetadataName(INamedTypeSymbol type)
    {
        var builder = new StringBuilder(type.MetadataName);
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            builder.Insert(0, outer.MetadataName + "+");
        }

        var ns = type.ContainingNamespace;
        if (ns is { IsGlobalNamespace: false })
        {
            builder.Insert(0, ns.ToDisplayString() + ".");
        }

        return builder.ToString();
    }

    private static TypeRule ApiRule(string name) => name == "ConditionEvent" ? ConditionEventRule : OtherApiRule;

    private static FrozenDictionary<string, TypeRule> BuildRules()
    {
        var rules = new Dictionary<string, TypeRule>(StringComparer.Ordinal);
        AddScalars(rules);
        AddText(rules);
        AddTime(rules);
        AddSequences(rules);
        AddDelegates(rules);
        return rules.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>object, enums, booleans, numbers, Nullable, Index, Range and the empty tuple.</summary>
    private static void AddScalars(Dictionary<string, TypeRule> rules)
    {
        rules["System.Object"] = new(Allowed: ["Equals", "GetHashCode", "ToString", "ReferenceEquals", ".ctor"]);
        rules["System.ValueType"] = new(Allowed: ["Equals", "GetHashCode", "ToString"]);
        rules["System.Enum"] = new(Denied: ["GetValues", "GetNames", "GetUnderlyingType", "GetValuesAsUnderlyingType", "GetTypeCode"]);
        rules["System.Boolean"] = All;
        rules["System.Char"] = All;
        rules["System.SByte"] = All;
        rules["System.Byte"] = All;
        rules["System.Int16"] = All;
        rules["System.UInt16"] = All;
        rules["System.Int32"] = All;
        rules["System.UInt32"] = All;
        rules["System.Int64"] = All;
        rules["System.UInt64"] = All;
        rules["System.Single"] = All;
        rules["System.Double"] = All;
        rules["System.Decimal"] = All;
        rules["System.Index"] = All;
        rules["System.Range"] = All;
        rules["System.Nullable`1"] = All;
        rules["System.ValueTuple"] = All;
    }

    /// <summary>Strings and what string methods take, Math, arrays.</summary>
    private static void AddText(Dictionary<string, TypeRule> rules)
    {
        // Intern and IsInterned touch process-wide state; PadLeft/PadRight, Format (alignment: "{0,1000000000}")
        // and new string(c, n) allocate
        // whatever size they are given; Create and GetPinnableReference are span/pointer plumbing.
        // Normalize may expand text many times over (NFKD); CopyTo and TryCopyTo write into arrays.
        rules["System.String"] = new(Denied: ["Intern", "IsInterned", "PadLeft", "PadRight", "Format", "Create", "GetPinnableReference", "Normalize", "CopyTo", "TryCopyTo"], Constructors: ConstructorRule.NoCount);
        rules["System.Math"] = All;
        // Arrays (new[] { ... }, ToArray()) expose their length only; the static Array API is reflection-adjacent.
        rules["System.Array"] = new(Allowed: ["Length", "LongLength"]);
        rules["System.StringComparison"] = All;
        rules["System.StringSplitOptions"] = All;
        rules["System.StringComparer"] = All;
        // params ReadOnlySpan<T> overloads (string.Join, string.Concat, string.Format) bind to this type.
        rules["System.ReadOnlySpan`1"] = new(Denied: ["GetPinnableReference"]);
    }

    /// <summary>Dates, times and the enums around them.</summary>
    private static void AddTime(Dictionary<string, TypeRule> rules)
    {
        // Time comes from the engine's clock (e.Now, e.At) so that dry-runs and tests are reproducible;
        // the machine's local zone is not a policy input: nothing that reads it (ToUniversalTime and the file times
        // treat a DateTime as local, Parse gives local times and assumes the local offset, a DateTime converted to a
        // DateTimeOffset gets the local offset). Texts are read with e.Date, instants come from e.Time, e.Ms, e.At.
        // No DateTime of kind Local can be made (SpecifyKind and the constructors that take a kind are refused), and
        // what reads the zone of an unspecified one is refused: IsDaylightSavingTime, a DateTimeOffset made from it
        // alone, and the "z" and "U" formats (ConditionBoundsCheck).
        rules["System.DateTime"] = new(Denied: ["Now", "UtcNow", "Today", "ToLocalTime", "ToUniversalTime", "ToFileTime", "FromFileTime",
            "Parse", "TryParse", "ParseExact", "TryParseExact", "IsDaylightSavingTime", "SpecifyKind", "FromBinary", "ToBinary"], Constructors: ConstructorRule.NoLocalTime);
        rules["System.DateTimeOffset"] = new(Denied: ["Now", "UtcNow", "ToLocalTime", "LocalDateTime", "op_Implicit", "FromFileTime",
            "Parse", "TryParse", "ParseExact", "TryParseExact"], Constructors: ConstructorRule.NoLocalTime);
        rules["System.DateOnly"] = All;
        rules["System.TimeOnly"] = All;
        rules["System.TimeSpan"] = All;
        rules["System.DayOfWeek"] = All;
        rules["System.DateTimeKind"] = All;
        rules["System.MidpointRounding"] = All;
    }

    /// <summary>Sequences, collections, tuples and what LINQ returns.</summary>
    private static void AddSequences(Dictionary<string, TypeRule> rules)
    {
        rules["System.Collections.Generic.IEnumerable`1"] = new(Denied: ["GetEnumerator"]);
        rules["System.Collections.Generic.IReadOnlyList`1"] = All;
        rules["System.Collections.Generic.IReadOnlyCollection`1"] = All;
        rules["System.Collections.Generic.IReadOnlyDictionary`2"] = All;
        rules["System.Collections.Generic.IEqualityComparer`1"] = All;
        rules["System.Collections.Generic.IComparer`1"] = All;
        rules["System.Collections.Generic.KeyValuePair`2"] = All;
        // Collections the LINQ operators return, read-only: a capacity argument would let a condition allocate at
        // will, and a collection that can be changed (HashSet.Add returns bool, so it fits in a lambda) would let
        // one evaluation feed what it built back into itself, past every budget check. Collection initializers
        // (new List<int> { 1, 2 }) still work: they fill the object they create.
        rules["System.Collections.Generic.List`1"] = new(Denied: [
            "Capacity", "EnsureCapacity", "GetEnumerator", "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange",
            "Clear", "Sort", "Reverse", "ForEach", "CopyTo", "TrimExcess"], Constructors: ConstructorRule.NoCount);
        rules["System.Collections.Generic.HashSet`1"] = new(Denied: [
            "EnsureCapacity", "GetEnumerator", "Add", "Remove", "RemoveWhere", "Clear", "UnionWith", "IntersectWith", "ExceptWith", "SymmetricExceptWith",
            "CopyTo", "TrimExcess"], Constructors: ConstructorRule.NoCount);
        rules["System.Collections.Generic.Dictionary`2"] = new(Denied: ["EnsureCapacity", "GetEnumerator", "Add", "TryAdd", "Remove", "Clear", "CopyTo", "TrimExcess"],
            Constructors: ConstructorRule.NoCount);
        rules["System.Linq.Enumerable"] = new(Allowed: EnumerableMethods);
        rules["System.Linq.IGrouping`2"] = All;
        rules["System.Linq.ILookup`2"] = All;
        rules["System.Linq.IOrderedEnumerable`1"] = new(Denied: ["CreateOrderedEnumerable"]);

        for (var arity = 1; arity <= 8; arity++)
        {
            rules[$"System.ValueTuple`{arity}"] = All;
        }
    }

    /// <summary>Func and Predicate, as lambda targets.</summary>
    private static void AddDelegates(Dictionary<string, TypeRule> rules)
    {
        // Delegate types exist only as the target of a lambda or method group handed to LINQ: creating one is
        // fine, invoking one is not (the semantic check refuses delegate invocation), and Method/Target are reflection.
        var delegates = new TypeRule(Allowed: [".ctor"], IsDelegate: true);
        for (var arity = 1; arity <= 17; arity++)
        {
            rules[$"System.Func`{arity}"] = delegates;
        }

        // No Action: every method that took one changes a collection (List.ForEach). Comparison is for List.Sort, denied too.
        rules["System.Predicate`1"] = delegates;
    }

    private static string ComputeFingerprint()
    {
        var text = new StringBuilder(Version).Append('\n');
        foreach (var (name, rule) in Rules.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(':').Append(rule.Describe()).Append('\n');
        }

        foreach (var api in ApiTypes.Order(StringComparer.Ordinal))
        {
            text.Append(ApiNamespace).Append('.').Append(api).Append(':').Append(ApiRule(api).Describe()).Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

internal enum ConstructorRule
{
    Allowed,

    /// <summary>Constructors with a count or capacity parameter are refused (they allocate whatever they are told).</summary>
    NoCount,

    /// <summary>
    /// Constructors that take a DateTimeKind (a Local time), or a DateTime alone (a DateTimeOffset at the machine's
    /// offset), are refused: the server's time zone is not a policy input.
    /// </summary>
    NoLocalTime,

    Denied,
}

/// <summary>Which members of an allowed type a condition may use: all but <paramref name="Denied"/>, or only <paramref name="Allowed"/>.</summary>
internal sealed record TypeRule(string[]? Allowed = null, string[]? Denied = null, ConstructorRule Constructors = ConstructorRule.Allowed, bool IsDelegate = false)
{
    public bool Permits(ISymbol member)
    {
        if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor)
        {
            if (Constructors == ConstructorRule.Denied || (Allowed is not null && !Allowed.Contains(".ctor")))
            {
                return false;
            }

            if (Constructors == ConstructorRule.NoLocalTime)
            {
                return !ctor.Parameters.Any(p => p.Type is INamedTypeSymbol { Name: "DateTimeKind" })
                    && !(ctor.Parameters.Length == 1 && ctor.Parameters[0].Type.SpecialType == SpecialType.System_DateTime);
            }

            return Constructors != ConstructorRule.NoCount || !ctor.Parameters.Any(p => p.Name is "capacity" or "count" or "repeatCount" || (p.Type.SpecialType == SpecialType.System_Int32 && ctor.Parameters.Length == 2 && ctor.Parameters[0].Type.SpecialType == SpecialType.System_Char));
        }

        var name = member.Name;

        // Hash codes of strings (and of tuples and anonymous objects, which combine them) are randomized per process:
        // a condition that read one would decide differently after a restart, and in a dry-run than in production.
        if (name == nameof(GetHashCode))
        {
            return false;
        }

        if (Denied is not null && Denied.Contains(name, StringComparer.Ordinal))
        {
            return false;
        }

        return Allowed is null || Allowed.Contains(name, StringComparer.Ordinal);
    }

    public string Describe() =>
        $"allowed={string.Join(',', Allowed ?? ["*"])};denied={string.Join(',', Denied ?? [])};ctors={Constructors};delegate={IsDelegate}";
}
