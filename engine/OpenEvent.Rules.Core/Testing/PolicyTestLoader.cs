using System.Collections.Immutable;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Testing;

/// <summary>The test documents read from test files, every diagnostic, and the files read.</summary>
public sealed record PolicyTestLoadResult(ImmutableArray<PolicyTestDefinition> Tests, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<string> Files);

/// <summary>
/// Finds and reads policy test files (<c>*.tests.yaml</c>, <c>*.tests.yml</c>): each file given, and every test file
/// below each folder (recursively, hidden entries skipped), in ordinal path order. Every document must be a
/// PolicyTest (OER4005); each is checked against schemas/policy-test.schema.json and parsed. Test names must be
/// unique across the files (OER4004).
/// </summary>
public static class PolicyTestLoader
{
    public static async Task<PolicyTestLoadResult> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        var validator = await PolicySchemaValidator.GetDefaultAsync().WaitAsync(cancellationToken);
        var diagnostics = new DiagnosticBag();
        var files = FindTestFiles(paths, diagnostics);
        var tests = ImmutableArray.CreateBuilder<PolicyTestDefinition>();
        var names = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (fullPath, displayPath, folder) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var document in YamlDocumentReader.ReadFile(fullPath, diagnostics, displayPath, folder))
            {
                if (PolicySchemaValidator.KindOf(document.Root) is { } kind and not "PolicyTest")
                {
                    diagnostics.Error(DiagnosticIds.NotATestDocument, document.Map.Locate("/kind"),
                        $"a test file holds PolicyTest documents only, not {kind}",
                        $"move the {kind} into a policy file (a name not ending in .tests.yaml), or write kind: PolicyTest");
                    continue;
                }

                if (!validator.Validate(document, diagnostics) || PolicyTestParser.Parse(document, diagnostics) is not { } test)
                {
                    continue;
                }

                if (names.TryGetValue(test.Name, out var first))
                {
                    diagnostics.Error(DiagnosticIds.DuplicateTestName, document.Map.Locate("/metadata/name"),
                        $"PolicyTest '{test.Name}' is already defined at {first}", "rename one of the two tests");
                    continue;
                }

                names.Add(test.Name, document.Map.Locate("/metadata/name"));
                tests.Add(test);
            }
        }

        return new PolicyTestLoadResult(tests.ToImmutable(), [.. diagnostics.Items], [.. files.Select(f => f.DisplayPath)]);
    }

    /// <summary>Test files under <paramref name="paths"/>; missing paths are OER1009.</summary>
    public static IReadOnlyList<PolicyFolderLoader.PolicyFile> FindTestFiles(IEnumerable<string> paths, DiagnosticBag diagnostics) =>
        PolicyFolderLoader.FindFiles(paths, PolicyFolderLoader.IsTestFile, PolicyFolderLoader.IsTestFile, diagnostics, "give test files (*.tests.yaml) or folders that contain them");
}
