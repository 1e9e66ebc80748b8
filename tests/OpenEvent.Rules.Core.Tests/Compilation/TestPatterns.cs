using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Tests.Compilation;

/// <summary>
/// A tiny JSON → PatternObject reader for tests (and the benchmark workload). It trusts its input: validation and
/// diagnostics belong to the real PatternParser, which will replace this helper once it lands.
/// </summary>
internal static class TestPatterns
{
    public static PatternObject FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ReadObject(document.RootElement);
    }

    private static PatternObject ReadObject(JsonElement element)
    {
        var members = ImmutableArray.CreateBuilder<PatternMember>();
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name == "$or")
            {
                members.Add(new OrMember([.. property.Value.EnumerateArray().Select(ReadObject)], SourceLocation.None));
            }
            else if (property.Value.ValueKind == JsonValueKind.Object)
            {
                members.Add(new NestedMember(property.Name, ReadObject(property.Value), SourceLocation.None));
            }
            else if (property.Value.ValueKind == JsonValueKind.Array)
            {
                members.Add(new LeafMember(property.Name, [.. property.Value.EnumerateArray().Select(ReadEntry)], SourceLocation.None));
            }
            else
            {
                throw new ArgumentException($"Member \"{property.Name}\" must be an object or an array.");
            }
        }

        return new PatternObject(members.ToImmutable(), SourceLocation.None);
    }

    private static Matcher ReadEntry(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return new ExactMatcher(ToScalar(entry), SourceLocation.None);
        }

        var op = entry.EnumerateObject().Single();
        var arg = op.Value;
        var none = SourceLocation.None;
        return op.Name switch
        {
            "prefix" => arg.ValueKind == JsonValueKind.String
                ? new PrefixMatcher(arg.GetString()!, false, none)
                : new PrefixMatcher(arg.GetProperty("equals-ignore-case").GetString()!, true, none),
            "suffix" => arg.ValueKind == JsonValueKind.String
                ? new SuffixMatcher(arg.GetString()!, false, none)
                : new SuffixMatcher(arg.GetProperty("equals-ignore-case").GetString()!, true, none),
            "contains" => new ContainsMatcher(arg.GetString()!, none),
            "equals-ignore-case" => new EqualsIgnoreCaseMatcher(arg.GetString()!, none),
            "wildcard" => new WildcardMatcher(arg.GetString()!, none),
            "numeric" => new NumericMatcher(ReadComparisons(arg), none),
            "cidr" => new CidrMatcher(arg.GetString()!, IPNetwork.Parse(arg.GetString()!), none),
            "exists" => new ExistsMatcher(arg.GetBoolean(), none),
            "anything-but" => new AnythingButMatcher(ReadExcluded(arg), none),
            _ => throw new ArgumentException($"Unknown operator \"{op.Name}\"."),
        };
    }

    private static ImmutableArray<NumericComparison> ReadComparisons(JsonElement array)
    {
        var items = array.EnumerateArray().ToArray();
        var result = ImmutableArray.CreateBuilder<NumericComparison>();
        for (var i = 0; i < items.Length; i += 2)
        {
            var op = items[i].GetString() switch
            {
                "=" => NumericOperator.Equal,
                "<" => NumericOperator.LessThan,
                "<=" => NumericOperator.LessThanOrEqual,
                ">" => NumericOperator.GreaterThan,
                ">=" => NumericOperator.GreaterThanOrEqual,
                var other => throw new ArgumentException($"Unknown numeric operator \"{other}\"."),
            };
            result.Add(new NumericComparison(op, ToScalar(items[i + 1]).Number));
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<Matcher> ReadExcluded(JsonElement arg)
    {
        var none = SourceLocation.None;
        if (arg.ValueKind == JsonValueKind.Array)
        {
            return [.. arg.EnumerateArray().Select(e => (Matcher)new ExactMatcher(ToScalar(e), none))];
        }

        if (arg.ValueKind != JsonValueKind.Object)
        {
            return [new ExactMatcher(ToScalar(arg), none)];
        }

        var op = arg.EnumerateObject().Single();
        var values = op.Value.ValueKind == JsonValueKind.Array
            ? op.Value.EnumerateArray().Select(v => v.GetString()!).ToArray()
            : [op.Value.GetString()!];
        return [.. values.Select(v => op.Name switch
        {
            "prefix" => (Matcher)new PrefixMatcher(v, false, none),
            "suffix" => new SuffixMatcher(v, false, none),
            "wildcard" => new WildcardMatcher(v, none),
            "equals-ignore-case" => new EqualsIgnoreCaseMatcher(v, none),
            _ => throw new ArgumentException($"Unknown anything-but operator \"{op.Name}\"."),
        })];
    }

    private static Scalar ToScalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Scalar.FromString(value.GetString()!),
        JsonValueKind.Number => JsonNumber.TryParse(value.GetRawText(), out var n)
            ? Scalar.FromNumber(n, value.GetRawText())
            : throw new ArgumentException($"Number out of range: {value.GetRawText()}"),
        JsonValueKind.True => Scalar.True,
        JsonValueKind.False => Scalar.False,
        JsonValueKind.Null => Scalar.Null,
        _ => throw new ArgumentException($"Not a scalar: {value.GetRawText()}"),
    };
}
