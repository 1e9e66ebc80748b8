using System.Text.Json;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>Runs examples.json, the cases docs/conditions.md quotes: all compiled in one set, each against its event.</summary>
public sealed class ExampleTests : IDisposable
{
    private static readonly JsonElement Examples = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples.json"))).RootElement;

    private readonly TempCache _cache = new();

    public static TheoryData<string> Names => [.. Examples.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    public void Dispose() => _cache.Dispose();

    [Theory]
    [MemberData(nameof(Names))]
    public void Example_EvaluatesToItsExpectation(string name)
    {
        var cases = Examples.GetProperty("cases").EnumerateArray().ToList();
        var sources = cases.Select((c, i) => ConditionSource.Plain(c.GetProperty("name").GetString()!, c.GetProperty("condition").GetString()!, new SourceLocation("examples.json", i + 1, 1))).ToList();
        var result = _cache.Compiler().Compile(sources);
        Assert.Empty(result.Diagnostics);
        using var set = result.Conditions!;

        var example = cases.Single(c => c.GetProperty("name").GetString() == name);
        var e = TestEvents.Load(example.GetProperty("event").GetString()!, Scope(example));
        var ran = set.TryEvaluate(set.IndexOf(name), e, out var value, out var error);

        var expect = example.GetProperty("expect");
        if (expect.ValueKind == JsonValueKind.String)
        {
            Assert.Equal("error", expect.GetString());
            Assert.False(ran);
            Assert.NotNull(error);
        }
        else
        {
            Assert.True(ran, error?.ToString());
            Assert.Equal(expect.GetBoolean(), value);
        }
    }

    [Fact]
    public void Examples_NowMatchesTheTestClock() =>
        Assert.Equal(TestEvents.Now, DateTimeOffset.Parse(Examples.GetProperty("now").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Examples_AreQuotedInTheDocs()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "conditions.md")).Replace("\\|", "|", StringComparison.Ordinal);

        foreach (var example in Examples.GetProperty("cases").EnumerateArray())
        {
            var condition = example.GetProperty("condition").GetString()!;
            var lines = condition.Split('\n').Select(l => l.Trim());
            Assert.All(lines, line => Assert.Contains(line, docs, StringComparison.Ordinal));
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenEvent.Rules.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpenEvent.Rules.sln not found above " + AppContext.BaseDirectory);
    }

    private static ScopeValues? Scope(JsonElement example) =>
        example.TryGetProperty("scope", out var s)
            ? new ScopeValues(s.GetProperty("tenant").GetString()!, s.GetProperty("workspace").GetString()!, s.GetProperty("region").GetString()!, s.GetProperty("environment").GetString()!, s.GetProperty("operator").GetString()!)
            : null;
}
