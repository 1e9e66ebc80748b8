using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Registry;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Sources;

/// <summary>
/// The outcome of loading policy files: the parsed set (documents with errors left out), every diagnostic, the files
/// read, and a hash of the names and bytes that were parsed (the content revision).
/// </summary>
public sealed record PolicyLoadResult(PolicySetDefinition Set, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<string> Files)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>16 hex digits of SHA-256 over each file's display path and the bytes parsed from it, in load order.</summary>
    public string ContentHash { get; init; } = "";

    /// <summary>
    /// This result with <paramref name="more"/> diagnostics (e.g. the C# conditions', reported by the compile step),
    /// all in file order, then line and column, as the loader orders its own.
    /// </summary>
    public PolicyLoadResult WithDiagnostics(IEnumerable<Diagnostic> more) =>
        this with { Diagnostics = PolicyFolderLoader.InFileOrder([.. Diagnostics, .. more], Files) };
}

/// <summary>
/// Loads a policy set from files and folders: finds the policy files (deterministic order), reads, schema-checks and
/// parses every document, then runs the semantic validators over the whole set. Every problem of every file is
/// reported in one run; a document with errors is left out of the set so that later stages only see valid input.
/// Paths in diagnostics are as the caller gave them (relative stays relative).
/// Nothing in a folder can stop or wedge a load: only regular files inside the folder are read, each with a size cap
/// (<see cref="YamlDocumentReader.ReadFileBytes"/>), and an unexpected exception in any step becomes an OER1018
/// diagnostic. Only the caller's cancellation ends a load with an exception.
/// </summary>
public static class PolicyFolderLoader
{
    public static Task<PolicyLoadResult> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        LoadAsync(paths, EventCatalog.Default, cancellationToken);

    /// <remarks>
    /// The C# conditions are not compiled here: that is the compile step's (<c>PolicySetCompiler</c>), which reports
    /// their diagnostics (OER2xxx), so that one load compiles them once.
    /// </remarks>
    public static Task<PolicyLoadResult> LoadAsync(IEnumerable<string> paths, EventCatalog catalog, CancellationToken cancellationToken = default) =>
        LoadReplacingAsync(paths, catalog, null, cancellationToken);

    /// <param name="replaced">
    /// Content to use instead of what is on disk, by display path (as <see cref="PolicyLoadResult.Files"/> names a
    /// file): the host console's playground validates an edited policy file in place without writing it. A path that
    /// is not among the files found is ignored.
    /// </param>
    public static Task<PolicyLoadResult> LoadReplacingAsync(IEnumerable<string> paths, EventCatalog catalog, IReadOnlyDictionary<string, byte[]>? replaced,
        CancellationToken cancellationToken) =>
        LoadReplacingAsync(paths, catalog, replaced, parseAsRead: true, cancellationToken);

    /// <param name="parseAsRead">
    /// False: every definition is parsed once all files are read, as the load did before it parsed them as their files
    /// are (<see cref="ReadFiles"/>); what the tests compare it with, since both must give the same result.
    /// </param>
    internal static async Task<PolicyLoadResult> LoadReplacingAsync(IEnumerable<string> paths, EventCatalog catalog, IReadOnlyDictionary<string, byte[]>? replaced,
        bool parseAsRead, CancellationToken cancellationToken)
    {
        // The schemas load once per process (a fifth of a second of a first start): on another core while the folder is listed.
        var validatorLoad = Task.Run(PolicySchemaValidator.GetDefaultAsync, CancellationToken.None);
        var diagnostics = new DiagnosticBag();
        var given = paths.ToList();

        // Set-level faults have no file of their own: they are reported at the (first) folder given.
        var setLocation = new SourceLocation(given.FirstOrDefault() ?? "", 0, 0);
        var files = ListFiles(given, setLocation, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var validator = await validatorLoad; // not cancellable itself, and done once per process

        // The registry (which may sit in any file of the folder) is known before the policies that name its entries
        // are parsed: the files that can hold it are parsed first (ReadFiles), then the others, each definition as its
        // file is read. The files are read on every core; what they gave is then taken in file order, so the hash, the
        // documents and the diagnostics do not depend on which core read which file.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var documents = new List<CheckedDocument>();
        var contents = ReadAllBytes(files, replaced, setLocation, diagnostics, cancellationToken);
        foreach (var (file, read) in files.Zip(ReadFiles(files, contents, validator, parseAsRead, cancellationToken)))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.DisplayPath.Replace('\\', '/') + "\n"));
            if (read.Bytes is { } bytes)
            {
                hash.AppendData(bytes);
            }

            documents.AddRange(read.Documents);
            diagnostics.AddRange(read.Diagnostics);
        }

        var registry = ParseRegistry(documents, diagnostics, cancellationToken);
        var set = ParseDefinitions(documents, registry, diagnostics, cancellationToken);
        try
        {
            PolicySetValidator.Validate(set, catalog, diagnostics);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            diagnostics.Add(LoadFault.ToDiagnostic(ex, setLocation, "validating the policy set"));
        }

        var displayPaths = files.Select(f => f.DisplayPath).ToList();
        return new PolicyLoadResult(set, Bounded(InFileOrder(diagnostics.Items, displayPaths), setLocation), displayPaths)
        {
            ContentHash = Convert.ToHexStringLower(hash.GetHashAndReset())[..16],
        };
    }

    /// <summary>The most diagnostics a load reports; the rest are counted in one more (<see cref="DiagnosticIds.TooManyDiagnostics"/>).</summary>
    public const int MaxDiagnostics = 1_000;

    /// <summary>
    /// The first <see cref="MaxDiagnostics"/> diagnostics and one that counts the others: a host keeps a failed
    /// reload's diagnostics, logs them and serves them (/policies, the console), and a folder of generated files could
    /// give millions (gigabytes kept and sent). An error among those left out keeps the summary an error.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Bounded(IReadOnlyList<Diagnostic> diagnostics, SourceLocation setLocation)
    {
        if (diagnostics.Count <= MaxDiagnostics)
        {
            return diagnostics;
        }

        const int Listed = MaxDiagnostics - 1;
        var kept = diagnostics.Take(Listed).ToList();
        var errors = diagnostics.Skip(Listed).Count(d => d.IsError);
        kept.Add(new Diagnostic(DiagnosticIds.TooManyDiagnostics, errors > 0 ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, setLocation,
            $"{diagnostics.Count - Listed:N0} more diagnostics ({errors:N0} errors) are not listed: only the first {Listed:N0} are",
            $"fix the ones listed first (the first is at {diagnostics[Listed].Location}); a generated file that repeats one mistake gives one diagnostic per copy"));
        return kept;
    }

    /// <summary>A document that passed the schema, with its file and kind (Policy, Channel, Target, Registry).</summary>
    internal sealed record CheckedDocument(PolicyFile File, SourceDocument? Document, string Kind)
    {
        /// <summary>
        /// What the definition gave when it was parsed as its file was read (<see cref="ReadFiles"/>), its tree then
        /// dropped: kept until every file is read, 10,000 trees made a third of a large load's time collections copying
        /// them (bench/README.md, "Eighth pass at item 4").
        /// </summary>
        public (object? Definition, IReadOnlyList<Diagnostic> Diagnostics)? Parsed { get; init; }

        /// <summary>The document's tree: every document keeps it but a definition parsed as its file was read.</summary>
        public SourceDocument Tree => Document ?? throw new InvalidOperationException($"the {Kind} document of {File.DisplayPath} was parsed as its file was read: its tree is gone");
    }

    private static IReadOnlyList<PolicyFile> ListFiles(List<string> given, SourceLocation setLocation, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        try
        {
            return FindPolicyFiles(given, diagnostics);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            diagnostics.Add(LoadFault.ToDiagnostic(ex, setLocation, "listing the policy files"));
            return [];
        }
    }

    /// <summary>What reading one file gave: its bytes (null when it could not be read), its schema-valid documents, its diagnostics.</summary>
    private sealed record FileRead(byte[]? Bytes, List<CheckedDocument> Documents, IReadOnlyList<Diagnostic> Diagnostics);

    /// <summary>Below this many files (or documents) the set is read on one thread: starting workers would cost more than it saves.</summary>
    private const int ParallelThreshold = 64;

    /// <summary>
    /// Reads every file, then parses its documents, each in parallel for a large set; the results are in the order of
    /// <paramref name="files"/>. The files that spell "Registry" (every registry document's kind does, unless it escapes
    /// it in a quoted scalar) are parsed first and their registry merged; the other files' definitions are then parsed
    /// with it as their files are, and their trees dropped at once (see <see cref="CheckedDocument.Parsed"/>).
    /// </summary>
    private static FileRead[] ReadFiles(IReadOnlyList<PolicyFile> files, (byte[]? Bytes, IReadOnlyList<Diagnostic> Diagnostics)[] bytes,
        PolicySchemaValidator validator, bool parseAsRead, CancellationToken cancellationToken)
    {
        var reads = new FileRead[files.Count];
        void Parse(int i, RegistryDefinition? registry) => reads[i] = ParseFile(files[i], bytes[i], validator, registry, cancellationToken);

        var mayHoldRegistry = bytes.Select(read => read.Bytes is { } b && b.AsSpan().IndexOf("Registry"u8) >= 0).ToArray();
        var first = Enumerable.Range(0, files.Count).Where(i => mayHoldRegistry[i]).ToArray();
        ForEach(first.Length, k => Parse(first[k], null), cancellationToken);

        // The registry as the load will merge it (ParseRegistry again, over every document: the same parts in the same order).
        var registry = ParseRegistry([.. first.SelectMany(i => reads[i].Documents)], new DiagnosticBag(), cancellationToken);
        ForEach(files.Count, i =>
        {
            if (!mayHoldRegistry[i])
            {
                Parse(i, parseAsRead ? registry : null);
            }
        }, cancellationToken);
        if (parseAsRead && Enumerable.Range(0, files.Count).Any(i => !mayHoldRegistry[i] && reads[i].Documents.Any(d => d.Kind == "Registry")))
        {
            // A registry the byte search missed (its kind escaped): every definition is parsed again once all are read.
            ForEach(files.Count, i => Parse(i, null), cancellationToken);
        }

        return reads;
    }

    /// <summary>
    /// The most bytes a set's files may hold together. Each file is bounded (10 MB), but a parsed file takes about 18
    /// times its size, and twenty files of 9.5 MB each held 1.8 GB; a policy set of 10,000 policies is 10 MB.
    /// </summary>
    internal const long MaxFolderBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Every file's bytes, read on every core, in file order; none when together they hold more than
    /// <see cref="MaxFolderBytes"/> (one error, whichever files were read first: the outcome does not depend on the
    /// order the cores took them in). Once past the limit the remaining files are not read at all.
    /// </summary>
    private static (byte[]? Bytes, IReadOnlyList<Diagnostic> Diagnostics)[] ReadAllBytes(IReadOnlyList<PolicyFile> files,
        IReadOnlyDictionary<string, byte[]>? replaced, SourceLocation setLocation, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        var bytes = new (byte[]? Bytes, IReadOnlyList<Diagnostic> Diagnostics)[files.Count];
        long total = 0;
        ForEach(files.Count, i =>
        {
            if (Interlocked.Read(ref total) <= MaxFolderBytes)
            {
                bytes[i] = ReadBytes(files[i], replaced, cancellationToken);
                Interlocked.Add(ref total, bytes[i].Bytes?.Length ?? 0);
            }
        }, cancellationToken);

        if (total <= MaxFolderBytes)
        {
            return bytes;
        }

        diagnostics.Error(DiagnosticIds.FileTooLarge, setLocation,
            $"the policy files hold more than {MaxFolderBytes / (1024 * 1024)} MB together; none is loaded",
            "keep only policy files in the folder (no generated or data files), or split it into several sets: 10,000 policies are about 10 MB");
        return [.. files.Select(_ => ((byte[]?)null, (IReadOnlyList<Diagnostic>)[]))];
    }

    /// <summary>
    /// Runs <paramref name="step"/> for 0 to <paramref name="count"/> - 1: on one thread below <see cref="ParallelThreshold"/>,
    /// else on every core. Each step writes only its own slot, so the caller takes the results in order and nothing
    /// depends on which core ran what.
    /// </summary>
    private static void ForEach(int count, Action<int> step, CancellationToken cancellationToken)
    {
        if (count < ParallelThreshold)
        {
            for (var i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                step(i);
            }

            return;
        }

        try
        {
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, step);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            // What a step lets through (cancellation, a fatal fault) leaves the load as it would on one thread.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
    }

    /// <summary>Reads one file's bytes (or its replacement); null when it cannot be read (the diagnostics say why). Safe to call for several files at once.</summary>
    private static (byte[]? Bytes, IReadOnlyList<Diagnostic> Diagnostics) ReadBytes(PolicyFile file, IReadOnlyDictionary<string, byte[]>? replaced,
        CancellationToken cancellationToken)
    {
        // One file's fault must not hide the other files' diagnostics, nor stop the load.
        var fileDiagnostics = new DiagnosticBag();
        try
        {
            return (replaced?.GetValueOrDefault(file.DisplayPath) ?? YamlDocumentReader.ReadFileBytes(file.FullPath, fileDiagnostics, file.DisplayPath, file.Folder, file.RealPath),
                fileDiagnostics.Items);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            fileDiagnostics.Add(LoadFault.ToDiagnostic(ex, new SourceLocation(file.DisplayPath, 0, 0), "reading this file"));
            return (null, fileDiagnostics.Items);
        }
    }

    /// <summary>
    /// Parses one file's documents and keeps the schema-valid ones; with <paramref name="eagerRegistry"/> (the set's
    /// registry, known), parses their definitions at once. Safe to call for several files at once.
    /// </summary>
    private static FileRead ParseFile(PolicyFile file, (byte[]? Bytes, IReadOnlyList<Diagnostic> Diagnostics) read, PolicySchemaValidator validator,
        RegistryDefinition? eagerRegistry, CancellationToken cancellationToken)
    {
        var fileDiagnostics = new DiagnosticBag();
        fileDiagnostics.AddRange(read.Diagnostics);
        var documents = new List<CheckedDocument>();
        var bytes = read.Bytes;
        try
        {
            if (bytes is null)
            {
                return new FileRead(null, documents, fileDiagnostics.Items);
            }

            foreach (var document in YamlDocumentReader.Read(file.DisplayPath, bytes, fileDiagnostics))
            {
                var kind = PolicySchemaValidator.KindOf(document.Root);

                // Test documents belong to the test runner, which validates them against its own schema.
                if (kind is not (null or "PolicyTest") && validator.Validate(document, fileDiagnostics))
                {
                    var checkedDocument = new CheckedDocument(file, document, kind);
                    documents.Add(eagerRegistry is not null && IsDefinition(kind)
                        ? checkedDocument with { Document = null, Parsed = ParseDefinition(checkedDocument, eagerRegistry, cancellationToken) }
                        : checkedDocument);
                }
                else if (kind is null)
                {
                    // Reports why the document has no usable kind (apiVersion, kind, not a mapping).
                    validator.Validate(document, fileDiagnostics);
                }
                else if (kind == "PolicyTest")
                {
                    // `oer test` reads only *.tests.yaml files: a test anywhere else would never run, and CI would stay green.
                    var name = Path.GetFileName(file.DisplayPath);
                    fileDiagnostics.Error(DiagnosticIds.TestOutsideTestFile, document.Map.Locate("/kind"),
                        "a PolicyTest in a policy file is never run: oer test reads only files named *.tests.yaml",
                        $"rename {name} to {TestFileName(name)} (or move the test into such a file beside it)");
                }
            }
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            fileDiagnostics.Add(LoadFault.ToDiagnostic(ex, new SourceLocation(file.DisplayPath, 0, 0), "reading this file"));
        }

        return new FileRead(bytes, documents, fileDiagnostics.Items);
    }

    private static RegistryDefinition ParseRegistry(List<CheckedDocument> documents, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        var registryParts = new List<RegistryParser.Part>();
        foreach (var document in documents.Where(d => d.Kind == "Registry"))
        {
            Isolated(document.File, diagnostics, bag => registryParts.Add(RegistryParser.Parse(document.Tree, bag)), cancellationToken);
        }

        return RegistryParser.Merge(registryParts);
    }

    /// <summary>
    /// Parses the policies, channels, targets and waivers (each document isolated), expanding the registry's names. A
    /// large set's documents are parsed on every core; each gives its definition and diagnostics, taken in document order.
    /// </summary>
    internal static PolicySetDefinition ParseDefinitions(List<CheckedDocument> documents, RegistryDefinition registry, DiagnosticBag diagnostics,
        CancellationToken cancellationToken)
    {
        var parsed = new (object? Definition, IReadOnlyList<Diagnostic> Diagnostics)[documents.Count];
        ForEach(documents.Count, i => parsed[i] = ParseDefinition(documents[i], registry, cancellationToken), cancellationToken);
        var policies = ImmutableArray.CreateBuilder<PolicyDefinition>();
        var channels = ImmutableArray.CreateBuilder<ChannelDefinition>();
        var targets = ImmutableArray.CreateBuilder<TargetDefinition>();
        var waivers = ImmutableArray.CreateBuilder<WaiverDefinition>();
        foreach (var (definition, documentDiagnostics) in parsed)
        {
            diagnostics.AddRange(documentDiagnostics);
            switch (definition)
            {
                case PolicyDefinition policy:
                    policies.Add(policy);
                    break;
                case ChannelDefinition channel:
                    channels.Add(channel);
                    break;
                case TargetDefinition target:
                    targets.Add(target);
                    break;
                case WaiverDefinition waiver:
                    waivers.Add(waiver);
                    break;
            }
        }

        return new PolicySetDefinition(policies.ToImmutable(), channels.ToImmutable(), targets.ToImmutable())
        {
            Registry = registry,
            Budget = ReadBudget(documents, diagnostics, cancellationToken),
            Waivers = waivers.ToImmutable(),
        };
    }

    /// <summary>The kinds <see cref="ParseDefinition"/> parses into the set's definitions.</summary>
    private static bool IsDefinition(string kind) => kind is "Policy" or "Channel" or "Target" or "Waiver";

    /// <summary>
    /// One document's definition (null for other kinds, or when it has errors) and its diagnostics: what it gave when its
    /// file was read, if it was parsed then. Safe to call for several documents at once.
    /// </summary>
    private static (object? Definition, IReadOnlyList<Diagnostic> Diagnostics) ParseDefinition(CheckedDocument checkedDocument, RegistryDefinition registry,
        CancellationToken cancellationToken)
    {
        if (checkedDocument.Parsed is { } parsed)
        {
            return parsed;
        }

        var (file, _, kind) = checkedDocument;
        var document = checkedDocument.Tree;

        object? definition = null;
        var bag = new DiagnosticBag();
        Isolated(file, bag, documentBag => definition = kind switch
        {
            "Policy" => PolicyDocumentParser.ParsePolicy(document, documentBag, registry),
            "Channel" => PolicyDocumentParser.ParseChannel(document, documentBag),
            "Target" => PolicyDocumentParser.ParseTarget(document, documentBag),
            "Waiver" => WaiverParser.Parse(document, documentBag, registry),
            _ => null,
        }, cancellationToken);
        return (definition, bag.Items);
    }

    /// <summary>The folder's kind: Budget document; a second one is an error (OER3122), since which applied would depend on file order.</summary>
    private static CostBudget? ReadBudget(List<CheckedDocument> documents, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        CostBudget? budget = null;
        SourceLocation? first = null;
        foreach (var budgetDocument in documents.Where(d => d.Kind == "Budget"))
        {
            var (file, document) = (budgetDocument.File, budgetDocument.Tree);
            if (first is { } earlier)
            {
                diagnostics.Error(DiagnosticIds.DuplicateCostBudget, document.Map.Locate("/kind"),
                    $"a second kind: Budget document; the set's budget is already declared at {earlier}",
                    "keep one Budget document in the policy folder (merge the limits into it)");
                continue;
            }

            first = document.Map.Locate("/kind");
            Isolated(file, diagnostics, bag => budget = PolicyDocumentParser.ParseBudget(document, bag), cancellationToken);
        }

        return budget;
    }

    /// <summary>Runs one document's step; an unexpected exception becomes an OER1018 at its file instead of ending the load.</summary>
    private static void Isolated(PolicyFile file, DiagnosticBag diagnostics, Action<DiagnosticBag> step, CancellationToken cancellationToken)
    {
        var bag = new DiagnosticBag();
        try
        {
            step(bag);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            bag.Add(LoadFault.ToDiagnostic(ex, new SourceLocation(file.DisplayPath, 0, 0), "reading this file"));
        }
        finally
        {
            diagnostics.AddRange(bag.Items);
        }
    }

    /// <summary><paramref name="diagnostics"/> in the order of <paramref name="files"/> (set-level ones first), then by line and column.</summary>
    public static IReadOnlyList<Diagnostic> InFileOrder(IEnumerable<Diagnostic> diagnostics, IReadOnlyList<string> files)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            order.TryAdd(files[i], i);
        }

        return diagnostics
            .OrderBy(d => order.GetValueOrDefault(d.Location.File, -1))
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ToList();
    }

    /// <summary>
    /// A policy file: where to read it, how to name it in diagnostics, and the real path of the folder it was found in
    /// (null for a file given by name): a file found in a folder must stay inside it when read.
    /// </summary>
    public sealed record PolicyFile(string FullPath, string DisplayPath, string? Folder = null)
    {
        /// <summary>
        /// The file's real path as the walk found it (its folder's real path and its name, or a link's resolved target
        /// inside the folder): the read opens it without resolving the path again, then checks what it opened.
        /// </summary>
        internal string? RealPath { get; init; }
    }

    /// <summary>
    /// The policy files under <paramref name="paths"/>: each file given, and every *.yaml / *.yml below each folder
    /// (recursively, skipping hidden entries and *.tests.yaml test files), sorted per folder by path.
    /// Missing or unreadable paths are reported as OER1009, symbolic links that lead out of the folder as OER1017.
    /// </summary>
    public static IReadOnlyList<PolicyFile> FindPolicyFiles(IEnumerable<string> paths, DiagnosticBag diagnostics) =>
        FindFiles(paths, name => !IsTestFile(name), IsPolicyFile, diagnostics, "give policy files or folders that contain *.yaml files");

    /// <summary>
    /// The files under <paramref name="paths"/>: each file given whose name <paramref name="wantedGiven"/> accepts, and
    /// every file below each folder whose name <paramref name="wanted"/> accepts (recursively, skipping hidden entries),
    /// sorted per folder by path. Missing or unreadable paths are reported as OER1009 with <paramref name="missingHint"/>.
    /// A folder given may itself be a symbolic link (the usual deploy pattern, policies -> releases/42); links inside
    /// it are followed only while they stay inside it (else OER1017).
    /// </summary>
    public static IReadOnlyList<PolicyFile> FindFiles(
        IEnumerable<string> paths, Func<string, bool> wantedGiven, Func<string, bool> wanted, DiagnosticBag diagnostics, string missingHint)
    {
        var result = new List<PolicyFile>();
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                var fullPath = Path.GetFullPath(path);
                if (wantedGiven(Path.GetFileName(path)) && seen.Add(fullPath))
                {
                    result.Add(new PolicyFile(fullPath, path));
                }
            }
            else if (Directory.Exists(path))
            {
                var found = new List<PolicyFile>();
                Walk(path, wanted, found, seen, diagnostics);
                result.AddRange(found.OrderBy(f => f.DisplayPath, StringComparer.Ordinal));
            }
            else
            {
                diagnostics.Error(DiagnosticIds.UnreadablePath, new SourceLocation(path, 0, 0), $"path not found: {path}",
                    "check the spelling; " + missingHint);
            }
        }

        return result;
    }

    /// <summary>The name a test file must have: <c>x.test.yaml</c> and <c>x.yaml</c> become <c>x.tests.yaml</c>.</summary>
    private static string TestFileName(string name)
    {
        var extension = Path.GetExtension(name);
        var stem = Path.GetFileNameWithoutExtension(name);
        stem = stem.EndsWith(".test", StringComparison.OrdinalIgnoreCase) ? stem[..^".test".Length] : stem;
        return $"{stem}.tests{extension}";
    }

    /// <summary>Policy test files (<c>*.tests.yaml</c>, <c>*.tests.yml</c>) are run by <c>oer test</c>, not loaded as policies.</summary>
    public static bool IsTestFile(string path) =>
        path.EndsWith(".tests.yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tests.yml", StringComparison.OrdinalIgnoreCase);

    private static bool IsPolicyFile(string name) =>
        (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)) && !IsTestFile(name);

    // An explicit stack instead of recursion, and each real directory visited once, so that deep trees and
    // symbolic link loops cannot hang or overflow. Each entry's real path is known from its folder's, so that only
    // symbolic links need resolving; a link whose target is outside the root is refused without being followed.
    private static void Walk(string root, Func<string, bool> wanted, List<PolicyFile> found, HashSet<string> seen, DiagnosticBag diagnostics)
    {
        var rootReal = FileProbe.RealPath(root);
        if (rootReal is null)
        {
            diagnostics.Error(DiagnosticIds.UnreadablePath, new SourceLocation(root, 0, 0), $"cannot read folder '{root}': it does not exist, or its links loop",
                "check that the folder exists and is readable");
            return;
        }

        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Folder>();
        pending.Push(new Folder(Path.GetFullPath(root), root, rootReal));
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            try
            {
                if (visited.Add(folder.RealPath))
                {
                    VisitFolder(folder, rootReal, wanted, pending, found, seen, diagnostics);
                }
            }
            catch (DirectoryNotFoundException) when (!ReferenceEquals(folder.DisplayPath, root))
            {
                // A sub-folder removed while the folder was walked: nothing of it is left to read.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                diagnostics.Error(DiagnosticIds.UnreadablePath, new SourceLocation(folder.DisplayPath, 0, 0), $"cannot read folder '{folder.DisplayPath}': {ex.Message}",
                    "check that the folder exists and is readable");
            }
        }
    }

    /// <summary>A folder to walk: where it is, how diagnostics name it, and its real path (links resolved).</summary>
    private sealed record Folder(string FullPath, string DisplayPath, string RealPath);

    /// <summary>One folder's entries: sub-folders go on <paramref name="pending"/>, wanted files not yet seen into <paramref name="found"/>.</summary>
    private static void VisitFolder(Folder folder, string rootReal, Func<string, bool> wanted, Stack<Folder> pending, List<PolicyFile> found, HashSet<string> seen,
        DiagnosticBag diagnostics)
    {
        foreach (var entry in new DirectoryInfo(folder.FullPath).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith('.'))
            {
                continue;
            }

            // An entry that vanished since it was listed reports every attribute (-1): it is simply not there any more.
            var attributes = entry.Attributes;
            if ((int)attributes == -1)
            {
                continue;
            }

            var entryDisplay = Path.Join(folder.DisplayPath, entry.Name);
            var isDirectory = entry is DirectoryInfo;
            var entryReal = Path.Join(folder.RealPath, entry.Name);
            if (attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                if (ResolveLink(entry, entryDisplay, entryReal, rootReal, wanted, diagnostics) is not { } resolved)
                {
                    continue;
                }

                entryReal = resolved;
            }

            if (isDirectory)
            {
                pending.Push(new Folder(entry.FullName, entryDisplay, entryReal));
            }
            else if (wanted(entry.Name) && seen.Add(entry.FullName))
            {
                found.Add(new PolicyFile(entry.FullName, entryDisplay, rootReal) { RealPath = entryReal });
            }
        }
    }

    /// <summary>
    /// The real path of a symbolic link worth following, or null to skip it: a link to a file that is never read, or
    /// (reported) a link that is broken, loops, or points outside the root.
    /// </summary>
    private static string? ResolveLink(FileSystemInfo entry, string entryDisplay, string entryReal, string rootReal, Func<string, bool> wanted, DiagnosticBag diagnostics)
    {
        // Links to files that are never read (README.md -> ../README.md) do not matter.
        var isDirectory = entry is DirectoryInfo;
        if (!isDirectory && !wanted(entry.Name))
        {
            return null;
        }

        var resolved = FileProbe.RealPath(entryReal);
        if (resolved is null)
        {
            diagnostics.Error(DiagnosticIds.UnreadablePath, new SourceLocation(entryDisplay, 0, 0),
                $"cannot read '{entryDisplay}': it is a symbolic link to '{TextExcerpt.Of(entry.LinkTarget ?? "", 200)}', which does not exist or loops",
                "fix or remove the link");
            return null;
        }

        if (!FileProbe.IsInside(resolved, rootReal))
        {
            diagnostics.Error(DiagnosticIds.LinkOutsideFolder, new SourceLocation(entryDisplay, 0, 0),
                $"'{entryDisplay}' is a symbolic link to '{TextExcerpt.Of(resolved, 200)}', outside the policy folder: it is not read",
                "keep policy files inside the policy folder: copy the " + (isDirectory ? "folder" : "file") + " in, or link to one inside the folder");
            return null;
        }

        return resolved;
    }
}
