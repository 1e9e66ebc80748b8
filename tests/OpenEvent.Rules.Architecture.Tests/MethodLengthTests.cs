using OpenEvent.Rules.Tests.Shared;

namespace OpenEvent.Rules.Architecture.Tests;

/// <summary>
/// No method in engine/ is longer than <see cref="MethodLengths.Limit"/> lines (issue #17): a longer one names its steps
/// as methods of their own. The check's negative case measures Fixtures/Lengths, whose members are 60 and 61 lines long.
/// </summary>
public sealed class MethodLengthTests
{
    [Fact]
    public void EngineMethods_AreAtMostSixtyLines()
    {
        var engine = RepositoryPaths.Combine("engine");
        var files = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/'))
            .Where(file => !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count > 100, $"only {files.Count} source files under {engine}");

        var found = files
            .SelectMany(file => MethodLengths.Over(MethodLengths.Limit, File.ReadAllText(RepositoryPaths.Combine(file)), file))
            .ToList();
        var problems = found.OrderByDescending(m => m.Lines).Select(m => $"{m}: name its steps as methods of their own").ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void Checker_SixtyOneLines_IsReported_SixtyIsNot()
    {
        const string path = "tests/OpenEvent.Rules.Architecture.Tests/Fixtures/Lengths/Lengths.cs";

        var found = MethodLengths.Over(MethodLengths.Limit, File.ReadAllText(RepositoryPaths.Combine(path)), path);

        Assert.Equal(
            [
                $"{path}:68 Lengths.SixtyOneLines: 61 lines",
                $"{path}:130 Lengths.SixtyOneLineTable (property): 61 lines",
            ],
            found.Select(m => m.ToString()));
        // At a limit of 59 the 60-line members are reported as well, with their exact lengths.
        Assert.Equal(
            [("SixtyLines", 60), ("SixtyOneLines", 61), ("SixtyOneLineTable (property)", 61), ("SixtyLineTable (property)", 60)],
            MethodLengths.Over(59, File.ReadAllText(RepositoryPaths.Combine(path)), path).Select(m => (m.Name["Lengths.".Length..], m.Lines)));
    }

    [Fact]
    public void Checker_MeasuresEveryKindOfMethodBody()
    {
        // Each unit below spans 3 lines; at a limit of 2 every one is reported, with its kind.
        const string source = """
            namespace N;
            class C
            {
                C()
                {
                }
                ~C()
                {
                }
                int Method()
                {
                    int Local()
                    {
                        return 1;
                    }
                    return Local();
                }
                int Property
                {
                    get
                    {
                        return 1;
                    }
                }
                int Arrow =>
                    1 +
                    2;
                int this[int i] =>
                    i +
                    1;
                public static C operator +(C a, C b) =>
                    a ??
                    b;
                public static implicit operator int(C c) =>
                    c
                    .Method();
            }
            """;

        Assert.Equal(
            [
                "C.C (constructor)",
                "C.~C",
                "C.Method",
                "C.Local (local function)",
                "C.Property get (accessor)",
                "C.Arrow (property)",
                "C.this[] (indexer)",
                "C.operator +",
                "C.implicit operator int",
            ],
            MethodLengths.Over(2, source, "c.cs").Select(m => m.Name));
    }
}
