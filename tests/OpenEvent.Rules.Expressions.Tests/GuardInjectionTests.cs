namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>What the guard injector writes around a condition: the text that is compiled, not the one the author sees.</summary>
public sealed class GuardInjectionTests : IDisposable
{
    private readonly TempCache _cache = new();

    public void Dispose() => _cache.Dispose();

    /// <summary>Honest conditions whose guarded form must keep every type, overload and result of the text as written.</summary>
    [Theory]
    [InlineData("e.Data.Arr(\"a\").Aggregate(0L, (acc, x) => acc + x.Long(\"n\")) == 3")]
    [InlineData("new[] { 1, 2 }.Aggregate((a, b) => a + b) == 3")]
    [InlineData("new[] { \"a\", \"bb\" }.ToDictionary(x => x, x => x.Length)[\"bb\"] == 2")]
    [InlineData("e.Data.Arr(\"a\").Select(x => x.Str(\"k\")).OrderBy(k => k).ThenBy(k => k!.Length).First() == \"p\"")]
    [InlineData("e.Type.Split(':').Length == 3 && e.Type.Split(':', StringSplitOptions.RemoveEmptyEntries)[0] == \"dataworks\"")]
    [InlineData("e.Type.Split(new[] { \"File\" }, StringSplitOptions.None).Length == 3 && e.Type.Split(\"Change\").Length == 2")]
    [InlineData("e.Type.Replace(\":\", \"/\").Contains(\"FileChange/\") && e.Type.Replace(\"file\", \"doc\", StringComparison.OrdinalIgnoreCase).EndsWith(\"Deploydoc\")")]
    [InlineData("e.Type.Trim('d', 'e') == \"ataworks:FileChange:DeployFil\" && e.Type.TrimEnd(new[] { 'e' }).Length == 30")]
    [InlineData("e.Type.IndexOf(\"Change\", StringComparison.Ordinal) == 14 && e.Type.LastIndexOf(\"File\") == 27 && e.Type.IndexOfAny(new[] { ':' }) == 9")]
    [InlineData("e.Data.Str(\"missing\")?.Trim().Length == null && e.Data.Str(\"s\")?.Contains(\"ell\") == true")]
    [InlineData("(from t in e.Type let u = char.ToUpper(t) where u == 'D' select u).Count() == 2")]
    [InlineData("(from a in new[] { 1, 2 } from b in new[] { 2, 3 } where a == b select a + b).Single() == 4")]
    [InlineData("(from a in new[] { 1, 2, 3 } group a by a % 2 into g orderby g.Key select g.Count()).Max() == 2")]
    [InlineData("(from x in e.Data.Arr(\"a\") from y in e.Data.Arr(\"a\") select x.Long(\"n\") * y.Long(\"n\")).Sum() == 9")]
    [InlineData("new List<int> { 1, 2 }.Contains(2) && new HashSet<string> { \"a\" }.Contains(\"a\") && new Dictionary<string, int> { { \"a\", 1 } }[\"a\"] == 1")]
    [InlineData("e.Type is ['d', .., 'e'] && e.Type[..4] == \"data\" && e.Type[^4..] == \"File\"")]
    [InlineData("string.Concat(e.Type.Where(char.IsUpper)) == \"FCDF\" && e.Type.Any(char.IsDigit) == false")]
    [InlineData("$\"{e.Data.Num(\"f\"):F2}|{e.Data.Str(\"s\")}|{e.Data.Node(\"a\").Kind}\" == \"1.50|hello|array\"")]
    [InlineData("e.Data.Arr(\"a\").Select(x => new { k = x.Str(\"k\") }).Distinct().Count() == 2")]
    [InlineData("e.Data.Arr(\"a\").Select(x => default(string)).All(s => s == null) && e.Data.Arr(\"a\").Select(x => x.Has(\"z\") ? x.Str(\"z\") : null).All(s => s is null)")]
    [InlineData("e.Data.Arr(\"a\").Select(x => (a: 1, b: x.Str(\"k\"))).Count(t => t.b == \"p\") == 1")]
    [InlineData("new string([.. e.Type.Take(4)]) == \"data\" && new string(e.Type.Take(4).ToArray()) == \"data\"")]
    [InlineData("e.Type switch { \"x\" => false, var t when t.StartsWith(\"dataworks:\") => true, _ => false }")]
    [InlineData("string.Join(\",\", e.Data.Arr(\"a\").Select(x => x.Str(\"k\"))) == \"q,p\" && string.Join(\"-\", new[] { \"a\", e.Type[..4] }) == \"a-data\"")]
    [InlineData("e.Data.Str(\"s\")!.Insert(0, e.Type[..4]) == \"datahello\" && (e.Data + \"\").Length > 10 && e.Data.ToString().Contains(\"hello\")")]
    [InlineData("e.Data.Arr(\"a\").ToList().IndexOf(e.Data.Arr(\"a\")[1]) == 1 && e.Data.Arr(\"a\").ToList().GetRange(0, 1).Count == 1")]
    [InlineData("e.Data.Json(\"j\").Arr().Sum(p => p.Int(\"v\")) == 6 && e.Matches(e.Data.Str(\"s\"), \"^h.*o$\")")]
    [InlineData("string.Join(',', new[] { \"a\", \"b\" }) == \"a,b\" && string.Join(',', \"a\", \"b\") == \"a,b\" && string.Join(\"-\", new[] { \"a\", \"b\", \"c\" }, 1, 2) == \"b-c\" && string.Join(':', new[] { \"a\", \"b\", \"c\" }, 0, 2) == \"a:b\"")]
    [InlineData("string.Join(\"/\", e.Data.Arr(\"a\").Select(x => x.Long(\"n\"))) == \"1/2\" && string.Join('/', e.Data.Arr(\"a\").Select(x => x.Str(\"k\"))) == \"q/p\" && string.Join(separator: \"+\", values: new[] { \"a\", \"b\" }.Select(x => x)) == \"a+b\"")]
    [InlineData("string.Join(\";\", e.Data.Arr(\"a\").Select(x => x.Node(\"k\"))) == \"\\\"q\\\";\\\"p\\\"\" && string.Join(\", \", new[] { e.Type[..4] }) == \"data\" && string.Join(\",\", new string[] { }) == \"\"")]
    [InlineData("$\"{string.Join(\"-\", e.Data.Arr(\"a\").Select(x => x.Str(\"k\")))}|{string.Join(',', new[] { 1, 2 })}\" == \"q-p|1,2\"")]
    [InlineData("string.Concat(e.Data.Arr(\"a\").Select(x => x.Str(\"k\"))) == \"qp\" && string.Concat(new[] { 1, 2 }.Select(i => i)) == \"12\" && string.Concat(new[] { \"a\", \"b\" }.Where(x => x != \"\")) == \"ab\"")]
    public void Compile_HonestConstructs_KeepTheirMeaningWithGuards(string expression)
    {
        var e = TestEvents.Parse("""
            {"type":"dataworks:FileChange:DeployFile","data":{"s":"hello","f":1.5,"j":"[{\"v\":1},{\"v\":5}]",
             "a":[{"k":"q","n":1},{"k":"p","n":2}]}}
            """);

        var result = _cache.Compiler().Compile(TestEvents.Sources(expression));

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        using var set = result.Conditions!;
        Assert.True(set.TryEvaluate(0, e, out var value, out var error), error?.ToString());
        Assert.True(value, RoslynConditionCompiler.GuardedText(expression));
    }

    /// <summary>
    /// A host whose LANG is Turkish or German gives a condition the same answers as one whose LANG is C: a condition
    /// runs under the invariant culture, and the thread's culture is given back afterwards.
    /// </summary>
    [Fact]
    public void Evaluate_UnderAnotherCulture_ConditionSeesTheInvariantCulture()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources(
            "1.5.ToString() == \"1.5\" && \"title\".ToUpper() == \"TITLE\" && $\"{e.Data.Num(\"f\"):F2}\" == \"1.50\" && StringComparer.CurrentCulture.Compare(\"i\", \"I\") < 0 && string.Compare(\"a\", \"B\") < 0"));
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        using var set = result.Conditions!;
        var e = TestEvents.Parse("""{"type":"dataworks:FileChange:DeployFile","data":{"f":1.5}}""");
        var original = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            foreach (var name in new[] { "tr-TR", "de-DE", "" })
            {
                var culture = System.Globalization.CultureInfo.GetCultureInfo(name);
                System.Globalization.CultureInfo.CurrentCulture = culture;

                Assert.True(set.TryEvaluate(0, e, out var value, out var error), error?.Message);
                Assert.True(value, name);
                Assert.Same(culture, System.Globalization.CultureInfo.CurrentCulture);
            }

            Assert.Equal("1,5", 1.5.ToString(System.Globalization.CultureInfo.GetCultureInfo("de-DE")));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = original;
        }
    }

    private const string G = "global::OpenEvent.Rules.Evaluation.Conditions.ConditionGuard";

    [Theory]
    [InlineData("e.Data.Long(\"jobId\") == 5777", "e.Data.Long(\"jobId\") == 5777")]
    [InlineData("e.Data.Arr(\"t\").Any(t => t.Has(\"a\"))", "(G.Sequence(e.Data.Arr(\"t\"))).Any(t => ((G.Step())switch{_=>(t.Has(\"a\"))}))")]
    [InlineData("e.Data.Str(\"sql\")?.Contains(\"drop\") == true", "(G.Hay(e.Data.Str(\"sql\")))?.Contains(\"drop\") == true")]
    [InlineData("(e.Data.Str(\"a\") + \".\" + e.Data + 1).Length > 0", "((G.Text(e.Data.Str(\"a\"))) + \".\" + (G.Text(e.Data)) + 1).Length > 0")]
    [InlineData("$\"{e.Type}-{e.Data.Count(\"a\")}\" == \"-0\"", "(G.Linear($\"{(G.Text(e.Type))}-{e.Data.Count(\"a\")}\")) == \"-0\"")]
    [InlineData("string.Join(\",\", e.Type, e.Id) != \"\"", "(G.Linear((G.Join(\",\", e.Type, e.Id)))) != \"\"")]
    [InlineData("$\"{string.Join(\"-\", e.Type)}\" != \"\"", "(G.Linear($\"{(G.Text((G.Join(\"-\", e.Type))))}\")) != \"\"")]
    [InlineData("string.Concat(e.Data.Arr(\"a\").Select(x => x.Str(\"k\"))) != \"\"",
        "(G.Linear(string.Concat((G.Sequence((G.TextSequence((G.Sequence(e.Data.Arr(\"a\"))).Select(x => ((G.Step())switch{_=>((G.Linear(x.Str(\"k\"))))}))))))))) != \"\"")]
    [InlineData("e.Data.Str(\"a\", \"\").ToUpper().StartsWith(e.Id)", "(G.Linear((G.Linear(e.Data.Str(\"a\", \"\"))).ToUpper())).StartsWith((G.Linear(e.Id)))")]
    [InlineData("e.Type.Aggregate(e.Type.Skip(0), (acc, c) => acc.Reverse()).Any()",
        "(G.Sequence((G.Sequence(e.Type)).Aggregate((G.Sequence(e.Type)).Skip(0), (acc, c) => ((G.Step())switch{_=>((G.Sequence((G.Sequence(acc)).Reverse())))})))).Any()")]
    [InlineData("(from t in e.Data.Arr(\"m\") where t.Has(\"x\") select t.Str(\"y\")).Any()",
        "((G.Sequence(from t in (G.Sequence(e.Data.Arr(\"m\"))) where ((G.Step())switch{_=>(t.Has(\"x\"))}) select ((G.Step())switch{_=>((G.Linear(t.Str(\"y\"))))})))).Any()")]
    public void Rewrite_WrapsLambdasSequencesTextAndSearches(string expression, string guarded)
    {
        var actual = RoslynConditionCompiler.GuardedText(expression).Replace(G, "G", StringComparison.Ordinal);
        Assert.True(guarded == actual, actual);
    }
}
