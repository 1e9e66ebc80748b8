using System.Text;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Sources;

/// <summary>
/// Data-driven: every file in tests/fixtures/broken declares the diagnostics it must produce in header comments
/// (<c># expect: OER1011 at 9:3</c>, one line each). Each expected id must be reported at that line and column;
/// other diagnostics are allowed, so fixtures stay small and focused on one id.
/// </summary>
public sealed partial class BrokenFixturesTests
{
    private static readonly string s_folder = RepositoryPaths.Combine("tests", "fixtures", "broken");

    /// <summary>The day the fixtures are checked on: a waiver's expiry is judged against it.</summary>
    internal static readonly DateTimeOffset FixtureClock = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(s_folder).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Load_BrokenFixture_ReportsEveryExpectedDiagnostic(string fileName) => await AssertExpectationsAsync(fileName);

    [Fact]
    public void Fixtures_EveryParsingId_HasAFile()
    {
        // OER1004 (10 MB) and OER1009 (unreadable path) cannot live in a repository; YamlDocumentReaderTests cover them.
        string[] ids = ["OER1001", "OER1002", "OER1003", "OER1005", "OER1006", "OER1007", "OER1008", "OER1010", "OER1011",
            "OER1012", "OER1013", "OER1014", "OER1015", "OER3034", "OER3035", "OER3090", "OER3091", "OER3092", "OER3093",

            // The cost budget (issue 15, part 4).
            "OER3120", "OER3121", "OER3122",

            // The registry's (issue 13): every one of them.
            "OER1020", "OER1021", "OER3050", "OER3051", "OER3052", "OER3053", "OER3054", "OER3055", "OER3056", "OER3057", "OER3058", "OER3059", "OER3060", "OER3061",

            // Staged enforcement (issue 15 part 3).
            "OER3110", "OER3111", "OER3112", "OER3113",

            // Waivers (issue 15): every one of them.
            "OER3100", "OER3101", "OER3102", "OER3103", "OER3104", "OER3105"];
        var files = Directory.EnumerateFiles(s_folder).Select(Path.GetFileName).ToList();

        Assert.All(ids, id => Assert.Contains(files, f => f!.StartsWith(id + "-", StringComparison.Ordinal)));
    }

    private static async Task AssertExpectationsAsync(string fileName)
    {
        var path = Path.Combine(s_folder, fileName);

        // Latin-1 never fails to decode, so headers of deliberately broken (non-UTF-8) files can be read too.
        var expectations = ExpectLine().Matches(File.ReadAllText(path, Encoding.Latin1))
            .Select(m => $"{m.Groups["id"].Value} at {m.Groups["line"].Value}:{m.Groups["column"].Value}")
            .ToList();
        Assert.True(expectations.Count > 0, $"{fileName} has no '# expect: OERnnnn at L:C' line");

        var result = await PolicyFolderLoader.LoadAsync([path]);

        // As `oer validate`: the set's analysis (OER309x) runs when the set loads, and the waivers are judged by the clock
        // (the fixtures' clock: 2026-06-01, so that a fixture's "expires soon" stays so).
        IReadOnlyList<Model.Diagnostic> diagnostics = result.HasErrors ? result.Diagnostics : [.. result.Diagnostics, .. PolicySetAnalyzer.Analyze(result.Set)];
        diagnostics = [.. diagnostics, .. OpenEvent.Rules.Validation.WaiverReview.Review(result.Set, FixtureClock)];
        var reported = diagnostics.Select(d => $"{d.Id} at {d.Location.Line}:{d.Location.Column}").ToHashSet(StringComparer.Ordinal);
        Assert.All(expectations, expected => Assert.True(reported.Contains(expected),
            $"{fileName}: expected {expected}; reported:{Environment.NewLine}{string.Join(Environment.NewLine, diagnostics)}"));
    }

    [GeneratedRegex(@"^#\s*expect:\s*(?<id>OER[0-9]{4})\s+at\s+(?<line>[0-9]+):(?<column>[0-9]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ExpectLine();
}
