using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Sources;

public sealed class PolicyFolderLoaderTests
{
    private const string Channel = """
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: NAME }
        spec: { type: webhook, urlFrom: { env: OER_HOOK_URL } }
        """;

    private static string ChannelNamed(string name) => Channel.Replace("NAME", name);

    [Theory]
    [InlineData(4)]
    [InlineData(80)]
    public async Task Load_FilesHoldingMoreThan32MbTogether_OneErrorNothingLoaded(int files)
    {
        // Each file under the 10 MB bound, together 36 MB: a parsed file takes ~18 times its size (twenty such files
        // held 1.8 GB). Read on one core (4 files) or on every core (80).
        using var temp = new TempFolder();
        var reason = new string('y', (int)(PolicyFolderLoader.MaxFolderBytes / files) + 1024 * 1024 / files);
        for (var i = 0; i < files; i++)
        {
            temp.Write($"p{i:D3}.yaml", $"apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: {{ name: p{i} }}\nspec:\n  match: {{ type: [\"dataworks:FileChange:DeployFile\"] }}\n  actions: [ {{ block: {{ reason: \"{reason}\" }} }} ]\n");
        }

        var result = await PolicyFolderLoader.LoadAsync([temp.Root]);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticIds.FileTooLarge, temp.Root), (error.Id, error.Location.File));
        Assert.Contains("more than 32 MB together; none is loaded", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Set.Policies);
    }

    [Fact]
    public async Task Load_ManyFiles_ReadInParallel_EachFileGivesWhatItGivesAloneInFileOrder()
    {
        // Over 64 files the folder is read on every core: each file must still give exactly what it gives alone, the
        // diagnostics come in file order, and the content hash and the set do not depend on which core read what.
        var fixtures = Directory.EnumerateFiles(RepositoryPaths.Combine("tests", "fixtures", "broken"), "OER10*.yaml").Order(StringComparer.Ordinal).ToList();
        using var temp = new TempFolder();
        for (var copy = 0; copy < 6; copy++)
        {
            foreach (var fixture in fixtures)
            {
                File.Copy(fixture, temp.Path($"c{copy}-{Path.GetFileName(fixture)}"));
            }

            temp.Write($"c{copy}-channel.yaml", ChannelNamed($"hook-{copy}"));
        }

        var whole = await PolicyFolderLoader.LoadAsync([temp.Root]);
        var again = await PolicyFolderLoader.LoadAsync([temp.Root]);

        Assert.True(whole.Files.Count >= 64, $"{whole.Files.Count} files");
        Assert.Equal(whole.Diagnostics.Select(d => d.ToString()), again.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(whole.ContentHash, again.ContentHash);
        Assert.Equal(Enumerable.Range(0, 6).Select(c => $"hook-{c}"), whole.Set.Channels.Select(c => c.Name).Where(n => n.StartsWith("hook-", StringComparison.Ordinal)));
        var order = whole.Diagnostics.Select(d => whole.Files.ToList().IndexOf(d.Location.File)).ToList();
        Assert.Equal(order.Order(), order);
        foreach (var fixture in fixtures)
        {
            var alone = await PolicyFolderLoader.LoadAsync([fixture]);
            Assert.Contains(alone.Diagnostics, d => d.Id.StartsWith("OER1", StringComparison.Ordinal));
            for (var copy = 0; copy < 6; copy++)
            {
                var path = temp.Path($"c{copy}-{Path.GetFileName(fixture)}");
                // The reading stage's own diagnostics (OER1xxx); copies of one file also collide by name (OER3001), which is the set's.
                Assert.Equal(alone.Diagnostics.Where(d => d.Id.StartsWith("OER1", StringComparison.Ordinal)).Select(d => (d.Id, d.Location.Line, d.Location.Column, d.Message.Replace(fixture, "F", StringComparison.Ordinal))),
                    whole.Diagnostics.Where(d => d.Location.File == path && d.Id.StartsWith("OER1", StringComparison.Ordinal)).Select(d => (d.Id, d.Location.Line, d.Location.Column, d.Message.Replace(path, "F", StringComparison.Ordinal))));
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Load_DefinitionsParsedAsTheirFilesAreRead_AreWhatParsingThemAfterEveryFileGives(bool withRegistry)
    {
        // Files that do not spell "Registry" have their definitions parsed as they are read (with the registry of the
        // files that do, parsed first), each tree dropped at once. That must give what parsing every definition after
        // all files are read gives: the library's policies (with their registry, or without it: many OER3xxx) and
        // every broken fixture (registries among them), over 64 files.
        using var temp = new TempFolder();
        var sources = Directory.EnumerateFiles(RepositoryPaths.Combine("policies"), "*.yaml")
            .Concat(Directory.EnumerateFiles(RepositoryPaths.Combine("tests", "fixtures", "broken"), "*.yaml"))
            .Where(path => withRegistry || !File.ReadAllText(path).Contains("Registry", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var (path, i) in sources.Select((path, i) => (path, i)))
        {
            File.Copy(path, temp.Path($"f{i:D3}-{Path.GetFileName(path)}"));
        }

        var asRead = await PolicyFolderLoader.LoadAsync([temp.Root]);
        var afterAll = await PolicyFolderLoader.LoadReplacingAsync([temp.Root], EventCatalog.Default, null, parseAsRead: false, CancellationToken.None);

        Assert.True(asRead.Files.Count >= 64, $"{asRead.Files.Count} files");
        Assert.Contains(asRead.Diagnostics, d => d.Id.StartsWith("OER3", StringComparison.Ordinal));
        Assert.Equal(withRegistry, !asRead.Set.Registry.IsEmpty);
        Assert.Equal(Describe(afterAll), Describe(asRead));
        Assert.Equal(afterAll.Diagnostics.Select(d => d.ToString()), asRead.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(afterAll.ContentHash, asRead.ContentHash);
    }

    [Fact]
    public async Task Load_RegistryKindWrittenWithAnEscape_IsStillReadBeforeThePolicies()
    {
        // "R\x65gistry" is how a double-quoted YAML scalar may spell the kind without its bytes: the load finds the
        // registry after the eager pass and parses the policies again with it.
        using var temp = new TempFolder();
        temp.Write("estate.yaml", """
            apiVersion: openevent.rules/v1
            kind: "R\x65gistry"
            metadata: { name: estate }
            spec:
              sets:
                admins: { values: ["200000000001"] }
            """);
        temp.Write("policy.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: admins-only }
            spec:
              match:
                type: ["dataworks:FileChange:DeleteFile"]
                data: { operator: [{ set: admins }] }
              actions: [ { block: { reason: "no" } } ]
            """);

        var result = await PolicyFolderLoader.LoadAsync([temp.Root]);

        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(["admins"], result.Set.Registry.Sets.Select(set => set.Name));
        Assert.Equal(["admins-only"], result.Set.Policies.Select(p => p.Name));
    }

    /// <summary>What a load gave, as text: every definition (records print their members) and the set's registry and budget.</summary>
    private static List<string> Describe(PolicyLoadResult result) =>
    [
        .. result.Set.Policies.Select(p => $"{p.Name} {p.Location} {p.Mode} {p.Match} {p.Scope} {string.Join(",", p.Actions)} {p.Condition?.Expression}"),
        .. result.Set.Channels.Select(c => $"{c.Name} {c.Location} {c.Type}"),
        .. result.Set.Targets.Select(t => $"{t.Name} {t.Location} {t.Type}"),
        .. result.Set.Waivers.Select(w => $"{w.Name} {w.Location}"),
        $"registry empty: {result.Set.Registry.IsEmpty}, budget: {result.Set.Budget}",
    ];

    [Fact]
    public async Task ParseDefinitions_ManyDocuments_OnEveryCore_EachGivesWhatItGivesAloneInDocumentOrder()
    {
        // Over 64 documents the model is built on every core: the definitions and diagnostics must be each document's
        // own (as parsed alone), in document order. Every semantic fixture twice, so names and registries collide too.
        var validator = await PolicySchemaValidator.GetDefaultAsync();
        var bag = new DiagnosticBag();
        var documents = new List<PolicyFolderLoader.CheckedDocument>();
        for (var copy = 0; copy < 2; copy++)
        {
            foreach (var path in Directory.EnumerateFiles(RepositoryPaths.Combine("tests", "fixtures", "broken"), "OER3*.yaml").Order(StringComparer.Ordinal))
            {
                var file = PolicyFolderLoader.FindPolicyFiles([path], bag).Single();
                documents.AddRange(YamlDocumentReader.ReadFile(path, bag, $"c{copy}-{file.DisplayPath}")
                    .Where(d => PolicySchemaValidator.KindOf(d.Root) is { } kind && kind != "PolicyTest" && validator.Validate(d, bag))
                    .Select(d => new PolicyFolderLoader.CheckedDocument(file, d, PolicySchemaValidator.KindOf(d.Root)!)));
            }
        }

        var registry = RegistryParser.Merge([]);
        var whole = new DiagnosticBag();
        var set = PolicyFolderLoader.ParseDefinitions(documents, registry, whole, CancellationToken.None);
        var names = new List<string>();
        var diagnostics = new List<string>();
        foreach (var document in documents)
        {
            var alone = new DiagnosticBag();
            var one = PolicyFolderLoader.ParseDefinitions([document], registry, alone, CancellationToken.None);
            names.AddRange(one.Policies.Select(p => "policy " + p.Name).Concat(one.Channels.Select(c => "channel " + c.Name))
                .Concat(one.Targets.Select(t => "target " + t.Name)).Concat(one.Waivers.Select(w => "waiver " + w.Name)));
            diagnostics.AddRange(alone.Items.Select(d => d.ToString()));
        }

        Assert.True(documents.Count >= 64, $"{documents.Count} documents");
        Assert.NotEmpty(diagnostics);
        // In document order within each kind (the set keeps one list per kind).
        Assert.Equal(names.Where(n => n.StartsWith("policy ", StringComparison.Ordinal)), set.Policies.Select(p => "policy " + p.Name));
        Assert.Equal(names.Where(n => n.StartsWith("channel ", StringComparison.Ordinal)), set.Channels.Select(c => "channel " + c.Name));
        Assert.Equal(names.Where(n => n.StartsWith("target ", StringComparison.Ordinal)), set.Targets.Select(t => "target " + t.Name));
        Assert.Equal(names.Where(n => n.StartsWith("waiver ", StringComparison.Ordinal)), set.Waivers.Select(w => "waiver " + w.Name));
        // A second Budget document is the set's (OER3122), not one document's.
        Assert.Equal(diagnostics, whole.Items.Where(d => d.Id != DiagnosticIds.DuplicateCostBudget).Select(d => d.ToString()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Load_Cancelled_EndsWithOperationCanceledOnOneThreadOrMany(int files)
    {
        // The host's reload abandons a load by cancelling it and expects OperationCanceledException, whether the files are
        // read on one thread or (64 and more) on every core, never an AggregateException from the parallel loop.
        using var temp = new TempFolder();
        for (var i = 0; i < files; i++)
        {
            temp.Write($"c{i:D3}.yaml", ChannelNamed($"hook-{i}"));
        }

        await OpenEvent.Rules.Parsing.PolicySchemaValidator.GetDefaultAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => PolicyFolderLoader.LoadAsync([temp.Root], cancelled.Token));
    }

    [Fact]
    public async Task Load_FileOfThousandsOfEmptyDocuments_ListsTheFirstDiagnosticsAndCountsTheRest()
    {
        // Two errors per empty mapping: 3,000 of them; the load keeps 999 and one that counts the other 2,001.
        using var temp = new TempFolder();
        temp.Write("many.yaml", string.Concat(Enumerable.Repeat("---\n{}\n", 1_500)));

        var result = await PolicyFolderLoader.LoadAsync([temp.Root]);

        Assert.Equal(PolicyFolderLoader.MaxDiagnostics, result.Diagnostics.Count);
        Assert.All(result.Diagnostics.SkipLast(1), d => Assert.EndsWith("many.yaml", d.Location.File, StringComparison.Ordinal));
        var summary = result.Diagnostics[^1];
        Assert.Equal(DiagnosticIds.TooManyDiagnostics, summary.Id);
        Assert.True(summary.IsError);
        Assert.StartsWith("2,001 more diagnostics (2,001 errors) are not listed: only the first 999 are", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_FileOfMoreDocumentsThanTheLimit_StopsAtTheFirstPastIt()
    {
        using var temp = new TempFolder();
        temp.Write("many.yaml", string.Concat(Enumerable.Repeat("---\n", YamlDocumentReader.MaxDocuments + 5)));

        var result = await PolicyFolderLoader.LoadAsync([temp.Root]);

        var tooLarge = Assert.Single(result.Diagnostics, d => d.Id == DiagnosticIds.FileTooLarge);
        Assert.Equal($"file has more than {YamlDocumentReader.MaxDocuments} YAML documents", tooLarge.Message);
        Assert.Equal(YamlDocumentReader.MaxDocuments + 1, tooLarge.Location.Line);
    }

    [Fact]
    public void FindPolicyFiles_Folder_YamlFilesRecursivelySortedWithoutTestsAndHiddenEntries()
    {
        using var temp = new TempFolder();
        foreach (var file in new[] { "b.yml", "a.yaml", "sub/c.yaml", "sub/deeper/d.YAML", "a.tests.yaml", "sub/e.tests.yml", ".hidden/f.yaml", ".g.yaml", "notes.md", "h.json" })
        {
            temp.Write(file, "x: 1\n");
        }

        var bag = new DiagnosticBag();
        var files = PolicyFolderLoader.FindPolicyFiles([temp.Root], bag);

        Assert.Empty(bag.Items);
        Assert.Equal(
            [Path.Join(temp.Root, "a.yaml"), Path.Join(temp.Root, "b.yml"), Path.Join(temp.Root, "sub", "c.yaml"), Path.Join(temp.Root, "sub", "deeper", "d.YAML")],
            files.Select(f => f.DisplayPath));
    }

    [Fact]
    public void FindPolicyFiles_RelativeFolder_DisplayPathsStayRelative()
    {
        using var temp = new TempFolder();
        temp.Write("p.yaml", "x: 1\n");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, temp.Root);

        var file = Assert.Single(PolicyFolderLoader.FindPolicyFiles([relative], new DiagnosticBag()));

        Assert.Equal(Path.Join(relative, "p.yaml"), file.DisplayPath);
        Assert.Equal(temp.Path("p.yaml"), file.FullPath);
    }

    [Fact]
    public void FindPolicyFiles_FileGivenTwiceAndInsideAGivenFolder_ListedOnce()
    {
        using var temp = new TempFolder();
        var path = temp.Write("p.yaml", "x: 1\n");

        var files = PolicyFolderLoader.FindPolicyFiles([path, temp.Root, path], new DiagnosticBag());

        Assert.Equal(path, Assert.Single(files).DisplayPath);
    }

    [Fact]
    public void FindPolicyFiles_ExplicitTestsFile_Skipped()
    {
        using var temp = new TempFolder();
        var path = temp.Write("p.tests.yaml", "x: 1\n");

        Assert.Empty(PolicyFolderLoader.FindPolicyFiles([path], new DiagnosticBag()));
    }

    [Fact]
    public void FindPolicyFiles_MissingPath_Oer1009()
    {
        var bag = new DiagnosticBag();

        PolicyFolderLoader.FindPolicyFiles(["no/such/folder"], bag);

        var diagnostic = Assert.Single(bag.Items);
        Assert.Equal(DiagnosticIds.UnreadablePath, diagnostic.Id);
        Assert.Equal(new SourceLocation("no/such/folder", 0, 0), diagnostic.Location);
        Assert.Equal("path not found: no/such/folder", diagnostic.Message);
    }

    [Fact]
    public void FindPolicyFiles_SymbolicLinkLoop_EachFolderOnce()
    {
        using var temp = new TempFolder();
        temp.Write("sub/p.yaml", "x: 1\n");
        Directory.CreateSymbolicLink(temp.Path("sub", "loop"), temp.Root);

        var files = PolicyFolderLoader.FindPolicyFiles([temp.Root], new DiagnosticBag());

        Assert.Equal([temp.Path("sub", "p.yaml")], files.Select(f => f.FullPath));
    }

    [Fact]
    public async Task LoadAsync_ChannelsAndTargets_SetWithEveryDocument()
    {
        using var temp = new TempFolder();
        temp.Write("channels.yaml", ChannelNamed("a") + "\n---\n" + ChannelNamed("b"));
        temp.Write("targets.yaml", "apiVersion: openevent.rules/v1\nkind: Target\nmetadata: { name: sink }\nspec: { type: file, path: out.jsonl }\n");

        var result = await PolicyFolderLoader.LoadAsync([temp.Root]);

        Assert.Empty(result.Diagnostics);
        Assert.False(result.HasErrors);
        Assert.Equal(["a", "b"], result.Set.Channels.Select(c => c.Name));
        Assert.Equal("sink", Assert.Single(result.Set.Targets).Name);
        Assert.Empty(result.Set.Policies);
        Assert.Equal([temp.Path("channels.yaml"), temp.Path("targets.yaml")], result.Files);
    }

    [Fact]
    public async Task LoadAsync_ProblemsInSeveralFiles_EveryOneReportedInFileOrder()
    {
        using var temp = new TempFolder();
        temp.Write("b.yaml", ChannelNamed("Bad_Name") + "\n---\n" + ChannelNamed("good"));
        temp.Write("a.yaml", "a: b: c\n");
        temp.Write("c.yaml", "");

        var result = await PolicyFolderLoader.LoadAsync([temp.Root]);

        Assert.True(result.HasErrors);
        Assert.Equal(
            [$"{temp.Path("a.yaml")}:1:5 OER1001", $"{temp.Path("b.yaml")}:3:19 OER1015", $"{temp.Path("c.yaml")}:1:1 OER1002"],
            result.Diagnostics.Select(d => $"{d.Location} {d.Id}"));
        Assert.Equal("good", Assert.Single(result.Set.Channels).Name);
        Assert.Equal(3, result.Files.Count);
    }

    [Fact]
    public async Task LoadAsync_TestFilesSkipped_APolicyTestInAPolicyFileIsOer4006()
    {
        using var temp = new TempFolder();
        var channel = ChannelNamed("a");
        temp.Write("mixed.yaml", channel + "\n---\napiVersion: openevent.rules/v1\nkind: PolicyTest\ncases: { whatever: [1] }\n");
        temp.Write("mixed.tests.yaml", "not: [valid, policy: file\n");

        var result = await PolicyFolderLoader.LoadAsync([temp.Root]);

        // The test file is the test runner's; the test in the policy file would never run, so it is an error, not skipped.
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.TestOutsideTestFile, diagnostic.Id);
        Assert.Equal(channel.Count(c => c == '\n') + 4, diagnostic.Location.Line);
        Assert.Equal("rename mixed.yaml to mixed.tests.yaml (or move the test into such a file beside it)", diagnostic.Hint);
        Assert.Equal([temp.Path("mixed.yaml")], result.Files);
    }

    [Fact]
    public async Task LoadAsync_MissingPath_Oer1009()
    {
        var result = await PolicyFolderLoader.LoadAsync(["missing-folder"]);

        Assert.Equal(DiagnosticIds.UnreadablePath, Assert.Single(result.Diagnostics).Id);
        Assert.Empty(result.Files);
    }

    [Fact]
    public async Task LoadAsync_RepositoryPolicies_NoDiagnostics()
    {
        var result = await PolicyFolderLoader.LoadAsync([RepositoryPaths.Combine("policies")]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(18, result.Set.Policies.Length);
        Assert.Equal(["oncall-webhook", "dq-dingtalk"], result.Set.Channels.Select(c => c.Name));
        Assert.Equal(["audit-sink"], result.Set.Targets.Select(t => t.Name));
    }
}
