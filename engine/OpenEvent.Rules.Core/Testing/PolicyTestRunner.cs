using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Testing;

public enum TestOutcome
{
    Passed,
    Failed,

    /// <summary>The case could not run: its event is missing or invalid, or it names an unknown policy.</summary>
    Error,
}

/// <summary>One expectation that did not hold: the expected and the actual side, as lines of a diff.</summary>
public sealed record ExpectationFailure(string Expected, string Actual);

/// <summary>The result of one case. <see cref="Decision"/> is null when the case could not run.</summary>
public sealed record TestCaseResult(
    string Name,
    SourceLocation Location,
    TestOutcome Outcome,
    ImmutableArray<ExpectationFailure> Failures,
    Decision? Decision,
    ImmutableArray<Diagnostic> Errors);

/// <summary>The results of one PolicyTest document; <see cref="Errors"/> are problems of the document itself (its cases did not run).</summary>
public sealed record TestSuiteResult(string Name, string File, ImmutableArray<TestCaseResult> Cases, ImmutableArray<Diagnostic> Errors);

/// <summary>Everything `oer test` reports.</summary>
public sealed record PolicyTestRun(ImmutableArray<TestSuiteResult> Suites, CoverageReport Coverage)
{
    public int Passed => Suites.Sum(s => s.Cases.Count(c => c.Outcome == TestOutcome.Passed));

    public int Failed => Suites.Sum(s => s.Cases.Count(c => c.Outcome == TestOutcome.Failed));

    public int Errors => Suites.Sum(s => s.Cases.Count(c => c.Outcome == TestOutcome.Error) + (s.Errors.IsEmpty ? 0 : 1));

    public bool Succeeded => Failed == 0 && Errors == 0;
}

/// <summary>
/// Runs policy tests against a validated policy set: builds each case's event (file or inline, envelope defaults,
/// patch), evaluates it with the same evaluator the host uses, compares the decision with the expectation and
/// records coverage. A case whose test document names <c>spec.policies</c> is evaluated against those policies only.
/// </summary>
public static class PolicyTestRunner
{
    public static PolicyTestRun Run(PolicySetDefinition set, IReadOnlyList<PolicyTestDefinition> tests, PolicySetCompilerOptions? options = null)
    {
        options ??= new PolicySetCompilerOptions();
        var coverage = new PolicyCoverage(set);
        var names = set.Policies.Select(p => p.Name).ToList();
        var suites = ImmutableArray.CreateBuilder<TestSuiteResult>(tests.Count);
        using var full = PolicySetCompiler.Compile(set, options);
        foreach (var test in tests)
        {
            var unknown = test.Policies.Where(p => !names.Contains(p.Name, StringComparer.Ordinal)).Select(p => UnknownPolicy(p, test, names)).ToImmutableArray();
            if (!unknown.IsEmpty)
            {
                suites.Add(new TestSuiteResult(test.Name, test.File, [], unknown));
                continue;
            }

            CompiledPolicySet? focused = null;
            if (!test.Policies.IsEmpty)
            {
                var selected = test.Policies.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                focused = PolicySetCompiler.Compile(set with { Policies = [.. set.Policies.Where(p => selected.Contains(p.Name))] }, options);
            }

            using (focused)
            {
                var compiled = focused ?? full;
                var cases = test.Cases.Select(c => RunCase(test, c, compiled, names, coverage)).ToImmutableArray();
                suites.Add(new TestSuiteResult(test.Name, test.File, cases, []));
            }
        }

        return new PolicyTestRun(suites.ToImmutable(), coverage.Report());
    }

    private static TestCaseResult RunCase(PolicyTestDefinition test, TestCaseDefinition testCase, CompiledPolicySet compiled, List<string> names, PolicyCoverage coverage)
    {
        var errors = testCase.Expect.PolicyReferences
            .Where(r => !names.Contains(r.Name, StringComparer.Ordinal))
            .Select(r => UnknownPolicy(r, test, names))
            .ToList();
        var e = errors.Count == 0 ? BuildEvent(test, testCase, compiled.Parser, errors) : null;
        if (e is null)
        {
            return new TestCaseResult(testCase.Name, testCase.Location, TestOutcome.Error, [], null, [.. errors]);
        }

        var detail = BuildDetail(test, testCase, e, errors);
        if (detail is null)
        {
            e.Dispose();
            return new TestCaseResult(testCase.Name, testCase.Location, TestOutcome.Error, [], null, [.. errors]);
        }

        using (e)
        {
            var decision = compiled.Evaluator.Evaluate(e, detail, CancellationToken.None);
            using var detailDocument = detail.Detail?.Parse();
            coverage.Record(compiled.Evaluator.Policies, e, decision, detailDocument?.RootElement ?? default);
            var failures = PolicyTestExpectations.Check(testCase.Expect, decision);
            return new TestCaseResult(testCase.Name, testCase.Location, failures.IsEmpty ? TestOutcome.Passed : TestOutcome.Failed, failures, decision, []);
        }
    }

    private static Diagnostic UnknownPolicy(NameReference reference, PolicyTestDefinition test, List<string> names)
    {
        var suggestion = Parsing.Suggestions.Closest(reference.Name, names);
        return new Diagnostic(DiagnosticIds.UnknownTestPolicy, DiagnosticSeverity.Error, reference.Location,
            $"test '{test.Name}' names policy '{reference.Name}', which the policy set does not have",
            suggestion is not null ? $"did you mean '{suggestion}'?" : "check the spelling, and that oer test loads the folder that holds the policy (--policies)");
    }

    /// <summary>The case's event, ready to evaluate; null with OER4002 / OER4003 in <paramref name="errors"/> when it cannot be built.</summary>
    private static DataWorksEvent? BuildEvent(PolicyTestDefinition test, TestCaseDefinition testCase, EventParser parser, List<Diagnostic> errors)
    {
        var origin = new EventOrigin(testCase.EventPath ?? test.File, testCase.Index);
        var bytes = testCase.EventPath is { } relative ? ReadEventFile(test, testCase, relative, errors) : [];
        if (bytes is null)
        {
            return null;
        }

        if (testCase.InlineEvent is not null || testCase.Patch is not null)
        {
            bytes = ComposeEvent(test, testCase, bytes, errors);
            if (bytes is null)
            {
                return null;
            }
        }

        try
        {
            return parser.Parse(bytes, origin);
        }
        catch (InvalidEventException ex)
        {
            errors.Add(InvalidEvent(testCase, $"{ex.Message} ({ex.Id})"));
            return null;
        }
    }

    /// <summary>The bytes of the case's event file (relative to the test file); null with OER4002 when it cannot be read.</summary>
    private static byte[]? ReadEventFile(PolicyTestDefinition test, TestCaseDefinition testCase, string relative, List<Diagnostic> errors)
    {
        var (read, path, boundary) = ReadCaseFile(test, relative, Parsing.YamlDocumentReader.MaxFileBytes);
        if (read.Status == FileReadStatus.Read)
        {
            return read.Bytes;
        }

        errors.Add(new Diagnostic(DiagnosticIds.TestEventNotFound, DiagnosticSeverity.Error, testCase.EventLocation,
            $"the event file '{relative}' of case '{testCase.Name}' {Unread(read, boundary, "10 MB limit")} (looked for {path})",
            "event paths are relative to the test file, e.g. ../samples/events/FileChange-DeployFile.json"));
        return null;
    }

    /// <summary>
    /// Reads a case's event or detail file like a policy file (regular files only: a FIFO would block the run, /dev/zero
    /// never end; size-capped), by a relative path, and inside the test's git repository when it is in one: a test file
    /// comes in a pull request, and its event path could otherwise print any JSON the CI machine can read (credentials,
    /// /proc/self/environ) into the log.
    /// </summary>
    private static (FileReadResult Read, string Path, string? Boundary) ReadCaseFile(PolicyTestDefinition test, string relative, long maxBytes)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(test.File)) ?? "";
        var path = Path.Combine(folder, relative);
        if (Path.IsPathRooted(relative))
        {
            return (new FileReadResult(FileReadStatus.OutsideFolder, []), path, null);
        }

        var boundary = RepositoryOf(folder);
        return (BoundedFileReader.Read(path, maxBytes, containedIn: boundary), path, boundary);
    }

    /// <summary>The git repository a test file's folder is in (the nearest folder above it with a .git), as a real path; null outside one.</summary>
    internal static string? RepositoryOf(string testFolder)
    {
        for (var folder = FileProbe.RealPath(testFolder); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            var git = Path.Combine(folder, ".git");
            if (Directory.Exists(git) || File.Exists(git))
            {
                return folder;
            }
        }

        return null;
    }

    private static string Unread(FileReadResult read, string? boundary, string limit) => read.Status switch
    {
        FileReadStatus.OutsideFolder when boundary is null => "is an absolute path: a test reads files by paths relative to it, inside its repository",
        FileReadStatus.Missing => "does not exist",
        FileReadStatus.NotRegular => $"is {FileKindText.Describe(read.Kind)}, not a regular file",
        FileReadStatus.TooLarge => $"is larger than the {limit}",
        FileReadStatus.OutsideFolder => $"is outside {boundary}, the repository of the test file: a test reads files of its own repository only",
        _ => $"cannot be read: {read.Error}",
    };

    /// <summary>
    /// The inline event (completed with the envelope's defaults) or the file's event, with the case's patch merged in;
    /// null with OER4003 when the file does not hold one JSON object to patch.
    /// </summary>
    private static byte[]? ComposeEvent(PolicyTestDefinition test, TestCaseDefinition testCase, byte[] fileBytes, List<Diagnostic> errors)
    {
        JsonObject cloudEvent;
        if (testCase.InlineEvent is { } inline)
        {
            cloudEvent = (JsonObject)inline.DeepClone();
            cloudEvent.TryAdd("specversion", "1.0");
            cloudEvent.TryAdd("id", $"{test.Name}-{testCase.Index + 1}");
            cloudEvent.TryAdd("source", "acs.dataworks");
        }
        else
        {
            try
            {
                cloudEvent = StrictJson.ParseNode(fileBytes, new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                    ?? throw new InvalidEventException(InvalidEventException.NotAnObject, "the file must hold one event (a JSON object), so that a patch can apply to it");
            }
            catch (Exception ex) when (ex is JsonException or InvalidEventException)
            {
                errors.Add(InvalidEvent(testCase, ex is JsonException json ? EventParser.Classify(json).Message : ex.Message));
                return null;
            }
        }

        if (testCase.Patch is { } patch)
        {
            Merge(cloudEvent, patch);
        }

        return JsonSerializer.SerializeToUtf8Bytes(cloudEvent);
    }

    /// <summary>
    /// The case's detail: its file or inline mapping, checked like one fetched from DataWorks (the member of the event's
    /// type, bounded); <see cref="EventDetailResult.NotSupplied"/> without one; null with OER4002 / OER4003 when it
    /// cannot be read.
    /// </summary>
    private static EventDetailResult? BuildDetail(PolicyTestDefinition test, TestCaseDefinition testCase, DataWorksEvent e, List<Diagnostic> errors)
    {
        byte[] bytes;
        if (testCase.DetailPath is { } relative)
        {
            var (read, path, boundary) = ReadCaseFile(test, relative, EventDetail.DefaultMaxBytes);
            if (read.Status != FileReadStatus.Read)
            {
                var reason = Unread(read, boundary, $"{EventDetail.DefaultMaxBytes / (1024 * 1024)} MB limit of a detail");
                errors.Add(new Diagnostic(DiagnosticIds.TestEventNotFound, DiagnosticSeverity.Error, testCase.DetailLocation,
                    $"the detail file '{relative}' of case '{testCase.Name}' {reason} (looked for {path})",
                    "detail paths are relative to the test file, e.g. ../samples/details/FileChange-CommitFile.detail.json"));
                return null;
            }

            bytes = read.Bytes;
        }
        else if (testCase.InlineDetail is { } inline)
        {
            bytes = JsonSerializer.SerializeToUtf8Bytes(inline);
        }
        else
        {
            return EventDetailResult.NotSupplied;
        }

        // A type the catalog knows to have no detail (NodeChangeCreated): a detail given to it would pass every case.
        var error = e.CatalogEntry is { Detail: null } ? $"{e.Type} has no detail (GetIDEEventDetail answers for file and table extension points only)" : null;
        EventDetail? detail = null;
        if (error is not null || !EventDetail.TryRead(bytes, e.CatalogEntry?.Detail?.Member, EventDetail.DefaultMaxBytes, out detail, out error))
        {
            errors.Add(new Diagnostic(DiagnosticIds.InvalidTestEvent, DiagnosticSeverity.Error, testCase.DetailLocation,
                $"the detail of case '{testCase.Name}' is not a detail of {e.Type}: {error}",
                e.CatalogEntry?.Detail is { } schema
                    ? $"give the EventDetail DataWorks returns for this type, e.g. detail: {{ {schema.Member}: {{ ... }} }} (schemas/events/detail/{schema.Name}.schema.json)"
                    : "only file and table extension points have a detail; remove detail from this case"));
            return null;
        }

        return EventDetailResult.Found(detail!, "test");
    }

    private static Diagnostic InvalidEvent(TestCaseDefinition testCase, string message) =>
        new(DiagnosticIds.InvalidTestEvent, DiagnosticSeverity.Error, testCase.EventLocation,
            $"the event of case '{testCase.Name}' is not a valid event: {message}",
            "give one CloudEvent with at least type and data; inline events get specversion, id and source filled in");

    /// <summary>Deep merge: mappings merge key by key, null removes the key, anything else replaces.</summary>
    internal static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject nested && target[key] is JsonObject existing)
            {
                Merge(existing, nested);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
