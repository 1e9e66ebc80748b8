using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Core.Tests.Analysis;

/// <summary>
/// Random pattern pairs against random events (seeded, so a failure replays): whenever the analysis says "implies"
/// (shadowing, covering exclusions) or "never matches", no sampled event contradicts it; 100,000 events in all.
/// </summary>
public sealed class AnalysisDifferentialTests
{
    private static readonly SourceLocation s_at = SourceLocation.None;
    private static readonly string[] s_strings = ["dws_orders_daily", "dws_", "DWS_ORDERS_DAILY", "tmp_a", "orders", "10.1.2.3", "10.200.0.1", "", "x_daily", "2001:db8::1"];
    private static readonly double[] s_numbers = [0, 1, 2.5, 3, 5, 6, 100, 150, 199.5, 200, -1];

    [Fact]
    public void RandomPairs_ImplicationAndContradiction_NeverContradictedBySampledEvents()
    {
        var random = new Random(20261206);
        var events = Enumerable.Range(0, 400).Select(_ => RandomEvent(random)).ToList();
        var contradictions = new Contradictions(new MatchedTypesResolver(EventCatalog.Default).All);
        var (evaluated, implied, dead) = (0, 0, 0);
        for (var pair = 0; pair < 125; pair++)
        {
            var narrow = RandomPattern(random);
            var wide = random.Next(3) == 0 ? Widen(narrow, random) : RandomPattern(random);
            var implies = PatternImplication.Implies(narrow, wide);
            var never = contradictions.Find(narrow) is not null;
            implied += implies ? 1 : 0;
            dead += never ? 1 : 0;
            foreach (var e in events)
            {
                evaluated++;
                var narrowMatches = ReferencePatternEvaluator.Matches(narrow, e.RootElement);
                Assert.False(implies && narrowMatches && !ReferencePatternEvaluator.Matches(wide, e.RootElement),
                    $"pair {pair}: implication claimed, counter-example {e.RootElement.GetRawText()}");
                Assert.False(never && narrowMatches, $"pair {pair}: 'never matches' claimed, counter-example {e.RootElement.GetRawText()}");
            }
        }

        Assert.Equal(100_000, evaluated * 2);
        Assert.True(implied >= 20, $"only {implied} implications: the test does not exercise the analysis");
    }

    private static JsonDocument RandomEvent(Random random)
    {
        string Value() => random.Next(4) switch
        {
            0 => JsonSerializer.Serialize(s_strings[random.Next(s_strings.Length)]),
            1 => JsonSerializer.Serialize(s_numbers[random.Next(s_numbers.Length)]),
            2 => random.Next(2) == 0 ? "null" : "true",
            _ => $"[{JsonSerializer.Serialize(s_strings[random.Next(s_strings.Length)])}, {JsonSerializer.Serialize(s_numbers[random.Next(s_numbers.Length)])}]",
        };

        var fields = new List<string>();
        foreach (var name in new[] { "f", "g" })
        {
            if (random.Next(5) > 0)
            {
                fields.Add($"\"{name}\": {Value()}");
            }
        }

        return JsonDocument.Parse("""{"type":"dataworks:FileChange:DeployFile","data":{""" + string.Join(",", fields) + "}}");
    }

    private static Matcher RandomMatcher(Random random)
    {
        var text = s_strings[random.Next(s_strings.Length)];
        var cut = text[..random.Next(text.Length + 1)];
        var number = JsonNumber.FromDouble(s_numbers[random.Next(s_numbers.Length)]);
        return random.Next(12) switch
        {
            0 => new ExactMatcher(Scalar.FromString(text), s_at),
            1 => new ExactMatcher(Scalar.FromNumber(number), s_at),
            2 => new PrefixMatcher(cut, random.Next(2) == 0, s_at),
            3 => new SuffixMatcher(text[cut.Length..], random.Next(2) == 0, s_at),
            4 => new ContainsMatcher(cut, s_at),
            5 => new EqualsIgnoreCaseMatcher(text, s_at),
            6 => new WildcardMatcher(cut + "*", s_at),
            7 => new NumericMatcher([new NumericComparison((NumericOperator)random.Next(5), number)], s_at),
            8 => new CidrMatcher("", IPNetwork.Parse(random.Next(2) == 0 ? "10.0.0.0/8" : "10.1.0.0/16"), s_at),
            9 => new ExistsMatcher(random.Next(2) == 0, s_at),
            10 => new AnythingButMatcher([new ExactMatcher(Scalar.FromString(text), s_at)], s_at),
            _ => new AnythingButMatcher([new PrefixMatcher(cut.Length == 0 ? "d" : cut, false, s_at)], s_at),
        };
    }

    private static LeafMember RandomLeaf(Random random, string name) =>
        new(name, [.. Enumerable.Range(0, 1 + random.Next(2)).Select(_ => RandomMatcher(random))], s_at);

    private static PatternObject RandomPattern(Random random)
    {
        var members = new List<PatternMember> { RandomLeaf(random, "f") };
        if (random.Next(2) == 0)
        {
            members.Add(RandomLeaf(random, "g"));
        }

        if (random.Next(3) == 0)
        {
            members.Add(new OrMember([Obj(RandomLeaf(random, "f")), Obj(RandomLeaf(random, "g"))], s_at));
        }

        var data = new NestedMember("data", new PatternObject([.. members], s_at), s_at);
        return Obj(data);
    }

    // A pattern the narrow one should imply: one member dropped, or a leaf given one more entry.
    private static PatternObject Widen(PatternObject narrow, Random random)
    {
        var data = (NestedMember)narrow.Members[0];
        var members = data.Pattern.Members;
        var widened = members.Length > 1 && random.Next(2) == 0
            ? members.RemoveAt(random.Next(members.Length))
            : members.Select(m => m is LeafMember leaf ? leaf with { Matchers = leaf.Matchers.Add(RandomMatcher(random)) } : m).ToImmutableArray();
        return Obj(data with { Pattern = new PatternObject(widened, s_at) });
    }

    private static PatternObject Obj(PatternMember member) => new([member], s_at);
}
