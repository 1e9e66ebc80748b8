using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Core.Tests.Parsing;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Conformance;

/// <summary>
/// Each leaf operator is defined once (docs/architecture.md, "Where new things go"): one matcher record per operator,
/// listed once in the operator table, whose key is the one the semantics document specifies. Per operator, the steps
/// its definition supplies agree with each other on every matcher the conformance suite writes with it, against every
/// leaf value its events hold: parsing reads back what formatting writes, the compiled test gives what the reference
/// semantics gives, an index key is hit by every value the operator accepts, and a "never matches" verdict of the type
/// check holds for every value of that type. The conformance cases themselves run every operator through both
/// evaluators (ConformanceTests, CompiledConformanceTests).
/// </summary>
public sealed partial class OperatorDefinitionTests
{
    private static readonly Lazy<IReadOnlyList<Scalar>> s_probes = new(CollectProbes);

    public static TheoryData<string> Operators() => [LeafOperators.Exact.Key, .. LeafOperators.Names];

    [Fact]
    public void Table_HasOneDefinitionPerMatcherRecord_AndEveryKeyOnce()
    {
        var records = typeof(Matcher).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Matcher)) && !t.IsAbstract)
            .ToDictionary(t => t, DefinitionOf);
        LeafOperator[] table = [LeafOperators.Exact, .. LeafOperators.Keyed];

        Assert.Equal(records.Count, table.Length);
        Assert.Equal(table.Length, table.Distinct().Count());
        Assert.Equal(table.Length, table.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.All(records, record => Assert.Contains(record.Value, table));
    }

    [Fact]
    public void Table_Keys_AreTheLeafOperatorsOfTheSemanticsDocument()
    {
        var document = File.ReadAllText(RepositoryPaths.Combine("docs", "matching-semantics.md"));
        var section = document[document.IndexOf("## Leaf operators", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];

        var specified = OperatorKey().Matches(section).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(LeafOperators.Names.Order(StringComparer.Ordinal), specified.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void ConformanceSuite_WritesTheOperator_InMatchingAndFailingCasesAndInRefusedPatterns(string key)
    {
        var cases = ConformanceCases.Valid.Where(c => Matchers(c.Pattern).Any(m => m.Operator == key)).ToList();

        Assert.Contains(cases, c => c.Expected);
        Assert.Contains(cases, c => !c.Expected);
        if (key != LeafOperators.Exact.Key)
        {
            Assert.Contains(ConformanceCases.Invalid, c => c.Pattern?.ToJsonString().Contains($"\"{key}\":", StringComparison.Ordinal) == true);
        }
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void Definition_ParseReadsBackWhatFormatWrites(string key)
    {
        foreach (var matcher in WrittenWith(key))
        {
            var text = MatcherFormatter.Format(matcher);
            var json = $$"""{"f": [{{text}}]}""";
            var diagnostics = new DiagnosticBag();

            var parsed = PatternParser.Parse(JsonNode.Parse(json), "", new JsonTextSourceMap("operator.json", json), diagnostics);

            Assert.True(parsed is not null, $"{text}: {string.Join("; ", diagnostics.Items)}");
            var reread = Assert.Single(Assert.IsType<LeafMember>(Assert.Single(parsed.Members)).Matchers);
            Assert.Equal(key, reread.Operator);
            Assert.Equal(matcher.GetType(), reread.GetType());
            Assert.Equal(text, MatcherFormatter.Format(reread));
        }
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void Definition_CompiledTest_AgreesWithTheReferenceSemantics_OnEveryValue(string key)
    {
        var disagreements = new List<string>();
        foreach (var matcher in WrittenWith(key))
        {
            var test = matcher.Compile();
            foreach (var value in s_probes.Value)
            {
                var compiled = test is not null && Passes(test, value);
                if (compiled != matcher.Matches(value))
                {
                    disagreements.Add($"{MatcherFormatter.Format(matcher)} on {value}: compiled {compiled}");
                }
            }

            Assert.Equal(matcher.MatchesMissing, MatcherSemantics.MatchesField(matcher, []));
        }

        Assert.Empty(disagreements);
    }

    // The index lists an entry under its key, or under any of its options a set chooses (IndexKeyChoice): each must be
    // hit by every value the entry accepts, and the first is the entry's own key.
    [Theory]
    [MemberData(nameof(Operators))]
    public void Definition_EveryIndexKeyOption_IsHitByEveryValueTheOperatorAccepts(string key)
    {
        var misses = new List<string>();
        foreach (var matcher in WrittenWith(key))
        {
            var options = matcher.IndexKeyOptions();
            Assert.Equal(matcher.ToIndexKey(), options.Length == 0 ? null : options[0]);
            foreach (var option in options)
            {
                misses.AddRange(s_probes.Value.Where(v => matcher.Matches(v) && !Hits(option, v)).Select(v => $"{MatcherFormatter.Format(matcher)} accepts {v}, option {option}"));
            }
        }

        Assert.Empty(misses);
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void Definition_TypeCheck_NeverMatchesOnlyWhatItCannotMatch(string key)
    {
        var wrong = new List<string>();
        foreach (var matcher in WrittenWith(key))
        {
            foreach (var jsonType in new[] { "string", "integer", "number", "boolean" })
            {
                if (matcher.NeverMatches(new DocumentedField("Policy 'p'", "f", "data.f", [jsonType])) is not { } never)
                {
                    continue;
                }

                Assert.False(string.IsNullOrWhiteSpace(never.Message) || string.IsNullOrWhiteSpace(never.Hint));
                wrong.AddRange(s_probes.Value.Where(v => OfJsonType(v, jsonType) && matcher.Matches(v)).Select(v => $"{MatcherFormatter.Format(matcher)} on {jsonType}: matches {v}"));
            }
        }

        Assert.Empty(wrong);
    }

    private static LeafOperator DefinitionOf(Type record) =>
        (LeafOperator)record.GetProperty("Definition", BindingFlags.Static | BindingFlags.NonPublic)!.GetValue(null)!;

    // Every matcher the valid conformance cases write with the operator, also inside anything-but.
    private static List<Matcher> WrittenWith(string key)
    {
        var matchers = ConformanceCases.Valid.Select(c => c.Pattern).Distinct()
            .SelectMany(Matchers)
            .SelectMany(m => m is AnythingButMatcher a ? [m, .. a.Excluded] : new[] { m })
            .Where(m => m.Operator == key)
            .ToList();
        Assert.NotEmpty(matchers);
        return matchers;
    }

    private static IEnumerable<Matcher> Matchers(PatternObject pattern) => pattern.Members.SelectMany(member => member switch
    {
        LeafMember leaf => leaf.Matchers.AsEnumerable(),
        NestedMember nested => Matchers(nested.Pattern),
        OrMember or => or.Branches.SelectMany(Matchers),
        _ => [],
    });

    // The leaf values of every conformance event: the values the operators were written against, and their neighbours.
    private static IReadOnlyList<Scalar> CollectProbes()
    {
        var probes = new HashSet<Scalar>();
        foreach (var json in ConformanceCases.Valid.Select(c => c.EventJson).Distinct(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(json);
            Collect(document.RootElement, probes);
        }

        return [.. probes];
    }

    private static void Collect(JsonElement element, HashSet<Scalar> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, into);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, into);
                }

                break;
            default:
                Assert.True(MatcherSemantics.TryReadScalar(element, out var value));
                into.Add(value);
                break;
        }
    }

    // The value as the compiled matcher hands it over: text for strings and numbers, the folded text when asked for.
    private static bool Passes(ValueTest test, Scalar value)
    {
        var text = value.Kind is ScalarKind.String or ScalarKind.Number ? value.Text : "";
        var folded = test.FoldsCase && value.IsString ? MatcherSemantics.FoldCase(value.Text!) : "";
        return test.Test(new LeafValue(value.Kind, text, folded, value.Number));
    }

    private static bool Hits(IndexKey key, Scalar value) => key.Kind switch
    {
        IndexKeyKind.String => value.IsString && value.Text == key.Text,
        IndexKeyKind.Upper => value.IsString && MatcherSemantics.FoldCase(value.Text!) == key.Text,
        IndexKeyKind.Prefix => value.IsString && value.Text!.StartsWith(key.Text!, StringComparison.Ordinal),
        IndexKeyKind.PrefixUpper => value.IsString && MatcherSemantics.FoldCase(value.Text!).StartsWith(key.Text!, StringComparison.Ordinal),
        IndexKeyKind.Suffix => value.IsString && value.Text!.EndsWith(key.Text!, StringComparison.Ordinal),
        IndexKeyKind.SuffixUpper => value.IsString && MatcherSemantics.FoldCase(value.Text!).EndsWith(key.Text!, StringComparison.Ordinal),
        IndexKeyKind.Contains => value.IsString && value.Text!.Contains(key.Text!, StringComparison.Ordinal),
        IndexKeyKind.Present => true,
        IndexKeyKind.Number => value.IsNumber && value.Number.Equals(key.Number),
        IndexKeyKind.Range => value.IsNumber && key.Low <= value.Number.AsDouble && value.Number.AsDouble <= key.High,
        IndexKeyKind.AddressRange => value.IsString && MatcherSemantics.TryParseIpv4(value.Text, out var address) && key.Low <= address && address <= key.High,
        IndexKeyKind.True => value.Kind == ScalarKind.True,
        IndexKeyKind.False => value.Kind == ScalarKind.False,
        IndexKeyKind.Null => value.Kind == ScalarKind.Null,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key.Kind, "Unknown index key kind."),
    };

    private static bool OfJsonType(Scalar value, string jsonType) => jsonType switch
    {
        "string" => value.IsString,
        "boolean" => value.Kind is ScalarKind.True or ScalarKind.False,
        _ => value.IsNumber,
    };

    // The first column's operator keys: `{"prefix": "p"}`, `{"suffix": {"equals-ignore-case": "s"}}`.
    [GeneratedRegex("""^\| [^|]*?`\{"([a-z-]+)":""", RegexOptions.Multiline)]
    private static partial Regex OperatorKey();
}
