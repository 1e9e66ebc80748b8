using System.Text.RegularExpressions;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Cli.Commands;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Tests.Documentation;

/// <summary>
/// A hint is only right if following it fixes the problem. Each tests/fixtures/hints/NAME.yaml declares the diagnostics
/// it must produce (<c># expect: OERnnnn at L:C</c>) each followed by its exact hint (<c># hint: ...</c>);
/// NAME.fixed.yaml is the same file after doing what the hints say, and must load with no diagnostic at all (its C#
/// conditions compiled too).
/// </summary>
public sealed partial class HintFixturesTests
{
    private static readonly string s_folder = RepositoryPaths.Combine("tests", "fixtures", "hints");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(s_folder, "*.yaml").Where(p => !p.EndsWith(".fixed.yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Hint_AppliedAsWritten_RemovesTheDiagnostic(string name)
    {
        var broken = Path.Combine(s_folder, name + ".yaml");
        var expected = Expectation().Matches(File.ReadAllText(broken))
            .Select(m => $"{m.Groups["id"].Value} at {m.Groups["line"].Value}:{m.Groups["column"].Value} hint: {m.Groups["hint"].Value.TrimEnd('\r')}")
            .ToList();
        Assert.NotEmpty(expected);

        var before = await PolicyLoading.LoadAsync([broken], PolicyLoading.Conditions, CancellationToken.None);
        var after = await PolicyLoading.LoadAsync([Path.Combine(s_folder, name + ".fixed.yaml")], PolicyLoading.Conditions, CancellationToken.None);

        Assert.Equal(expected, before.Diagnostics.Select(d => $"{d.Id} at {d.Location.Line}:{d.Location.Column} hint: {d.Hint}"));
        Assert.True(after.Diagnostics.Count == 0, $"{name}.fixed.yaml still has: {string.Join("; ", after.Diagnostics)}");
    }

    [Fact]
    public void Fixtures_EveryBrokenFileHasItsFixedFile()
    {
        var names = Directory.EnumerateFiles(s_folder, "*.yaml").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);

        Assert.True(names.Count >= 20, $"only {names.Count} files");
        Assert.All(names.Where(n => !n!.EndsWith(".fixed.yaml", StringComparison.Ordinal)), n => Assert.Contains(n![..^5] + ".fixed.yaml", names));
    }

    [GeneratedRegex(@"^# expect: (?<id>OER\d{4}) at (?<line>\d+):(?<column>\d+)\n# hint: (?<hint>.*)$", RegexOptions.Multiline)]
    private static partial Regex Expectation();
}
