namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>What the guard injector writes around a condition: the text that is compiled, not the one the author sees.</summary>
public sealed class GuardInjectionTests
{
    private const string G = "global::OpenEvent.Rules.Evaluation.Conditions.ConditionGuard";

    [Theory]
    [InlineData("e.Data.Long(\"jobId\") == 5777", "e.Data.Long(\"jobId\") == 5777")]
    [InlineData("e.Data.Arr(\"t\").Any(t => t.Has(\"a\"))", "(G.Sequence(e.Data.Arr(\"t\"))).Any(t => ((G.Step())switch{_=>(t.Has(\"a\"))}))")]
    [InlineData("e.Data.Str(\"sql\")?.Contains(\"drop\") == true", "(G.Hay(e.Data.Str(\"sql\")))?.Contains(\"drop\") == true")]
    [InlineData("(e.Data.Str(\"a\") + \".\" + e.Data + 1).Length > 0", "((G.Text(e.Data.Str(\"a\"))) + \".\" + (G.Text(e.Data)) + 1).Length > 0")]
    [InlineData("$\"{e.Type}-{e.Data.Count(\"a\")}\" == \"-0\"", "(G.Linear($\"{(G.Text(e.Type))}-{e.Data.Count(\"a\")}\")) == \"-0\"")]
    [InlineData("string.Join(\",\", e.Type, e.Id) != \"\"", "(G.Linear(string.Join(\",\", (G.Text(e.Type)), (G.Text(e.Id))))) != \"\"")]
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
