using System.Xml.Linq;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.Commands;

public sealed class TestCommandTests : IDisposable
{
    private const string Freeze = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          scope: { workspaces: [10001234] }
          exclude:
            - scope: { operators: ["200000000001"] }
          actions:
            - block: { reason: "Deploying {{ data.fileName }} is frozen" }

        """;

    private const string Header = "apiVersion: openevent.rules/v1\nkind: PolicyTest\nmetadata: { name: freeze-tests }\nspec:\n  cases:\n";

    private const string DeployEvent = "{ type: \"dataworks:FileChange:DeployFile\", data: { projectId: 10001234, operator: \"200012345678901\", fileName: dws_orders } }";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => CliRunner.Run(args);

    private string WriteTests(string cases)
    {
        _temp.Write("freeze.yaml", Freeze);
        return _temp.Write("freeze.tests.yaml", Header + cases);
    }

    [Fact]
    public void Test_RepositoryLibrary_PassesWithFullCoverage()
    {
        var (exitCode, stdout, stderr) = Run("test", RepositoryPaths.Combine("policies"), "--require-coverage");

        Assert.True(exitCode == ExitCodes.Success, stdout + stderr);
        Assert.Contains("coverage: 18 of 18 policies matched by a case; 61 of 61 clauses, $or branches and exclusions exercised\n", stdout);
        Assert.Matches(@"\n\d+ passed, 0 failed, 0 errors in \d+ cases \(19 files\)\n$", stdout);
    }

    [Fact]
    public void Validate_RepositoryLibrary_NoErrorsNoWarnings()
    {
        var (exitCode, stdout, _) = Run("validate", RepositoryPaths.Combine("policies"), "--strict");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("0 errors, 0 warnings in 22 files\n", stdout);
    }

    [Fact]
    public void Test_RepositoryLibrary_AtLeastTwelvePoliciesEachWithTests()
    {
        var folder = RepositoryPaths.Combine("policies");
        var policies = Directory.EnumerateFiles(folder, "*.yaml")
            .Where(f => !f.EndsWith(".tests.yaml", StringComparison.Ordinal) && File.ReadAllText(f).Contains("kind: Policy\n", StringComparison.Ordinal))
            .ToList();

        Assert.True(policies.Count >= 12, $"{policies.Count} policies");
        Assert.All(policies, p => Assert.True(File.Exists(Path.ChangeExtension(p, ".tests.yaml")), $"{p} has no tests"));
    }

    [Fact]
    public void Test_SampleEvents_CoverEveryCatalogType()
    {
        var types = Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*.json")
            .Select(f => System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .SelectMany(e => e.ValueKind == System.Text.Json.JsonValueKind.Array ? e.EnumerateArray().ToList() : [e])
            .Where(e => e.TryGetProperty("type", out _))
            .Select(e => e.GetProperty("type").GetString())
            .ToHashSet();

        Assert.All(OpenEvent.Rules.Catalog.EventCatalog.Default.EventTypes, t => Assert.Contains(t.Type, types));
    }

    [Fact]
    public void Test_AllPass_PassLinesCoverageAndSummary()
    {
        WriteTests($"""
                - name: blocks a deploy
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL, matched: [deploy-freeze], reasonContains: "dws_orders is frozen" {"}"}
                - name: the release manager may deploy
                  event: {DeployEvent}
                  patch: {"{"} data: {"{"} operator: "200000000001" {"}"} {"}"}
                  expect: {"{"} verdict: OK, matchedExactly: [] {"}"}

            """);

        var (exitCode, stdout, stderr) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.StartsWith($"oer: policies from {_temp.Root}: 1 policy in 1 file, revision sha256:", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal(
            """
            PASS  freeze-tests › blocks a deploy
            PASS  freeze-tests › the release manager may deploy

            coverage: 1 of 1 policies matched by a case; 2 of 2 clauses, $or branches and exclusions exercised

            2 passed, 0 failed, 0 errors in 2 cases (1 file)

            """, stdout);
    }

    [Fact]
    public void Test_Failure_DiffOfEachExpectationAndExit1()
    {
        var tests = WriteTests($"""
                - name: expects the wrong things
                  event: {DeployEvent}
                  patch: {"{"} data: {"{"} projectId: 10009999 {"}"} {"}"}
                  expect:
                    verdict: FAIL
                    matched: [deploy-freeze]
                    reasonContains: frozen
                    actions: [{"{"} kind: block, policy: deploy-freeze {"}"}]

            """);

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith(
            $"""
            FAIL  freeze-tests › expects the wrong things ({tests}:6:7)
                  - verdict: FAIL
                  + verdict: OK
                  - matched includes: deploy-freeze
                  + matched: (none)
                  - a block or warn reason containing "frozen"
                  + no block or warn reason
                  - action block (deploy-freeze)
                  + actions: (none)
                  actual decision:
                    verdict: OK
                    no policy matched

            coverage: 0 of 1 policies matched by a case; 1 of 2 clauses, $or branches and exclusions exercised
              {_temp.Path("freeze.yaml")}:3:19: policy deploy-freeze: no case matched it
              {_temp.Path("freeze.yaml")}:8:7: policy deploy-freeze: exclusion exclude[0]: never exercised

            0 passed, 1 failed, 0 errors in 1 case (1 file)

            """, stdout);
    }

    [Fact]
    public void Test_NotMatchedAndExactly_ShowActualMatches()
    {
        WriteTests($"""
                - name: wrong set
                  event: {DeployEvent}
                  expect: {"{"} notMatched: [deploy-freeze], matchedExactly: [] {"}"}

            """);

        var (_, stdout, _) = Run("test", _temp.Root);

        Assert.Contains("      - not matched: deploy-freeze\n      + matched: [deploy-freeze]\n      - matched exactly: (none)\n      + matched: [deploy-freeze]\n", stdout);
    }

    [Fact]
    public void Test_TestFileErrors_LocatedDiagnosticsWithIds()
    {
        var tests = WriteTests($"""
                - name: unknown policy
                  event: {DeployEvent}
                  expect: {"{"} matched: [deploy-freze] {"}"}
                - name: missing event file
                  event: events/nope.json
                  expect: {"{"} verdict: OK {"}"}
                - name: event without a type
                  event: {"{"} data: {"{"} projectId: 1 {"}"} {"}"}
                  expect: {"{"} verdict: OK {"}"}

            """);

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"ERROR freeze-tests › unknown policy ({tests}:6:7)\n      {tests}:8:27: error OER4001: test 'freeze-tests' names policy 'deploy-freze', which the policy set does not have\n        hint: did you mean 'deploy-freeze'?\n", stdout);
        Assert.Contains($"{tests}:10:14: error OER4002: the event file 'events/nope.json' of case 'missing event file' does not exist (looked for {_temp.Path("events", "nope.json")})\n", stdout);
        Assert.Contains($"{tests}:13:14: error OER4003: the event of case 'event without a type' is not a valid event: the event has no 'type' string attribute (missing-type)\n", stdout);
        Assert.EndsWith("0 passed, 0 failed, 3 errors in 3 cases (1 file)\n", stdout);
    }

    [Fact]
    public void Test_EventAndDetailFilesOutsideTheRepository_RefusedUnreadInsideIt_Read()
    {
        // A hostile test file in a pull request named ../../secret.json (or /proc/self/environ) as its event, and a
        // placeholder printed the secret into the CI log. Files of the repository (the folder with .git) still read.
        _temp.Write("secret.json", "{\"accessKeySecret\":\"TOPSECRET\"}");
        Directory.CreateDirectory(_temp.Path("repo", ".git"));
        _temp.Write(Path.Combine("repo", "samples", "deploy.json"),
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"acs.dataworks\",\"type\":\"dataworks:FileChange:DeployFile\",\"data\":{\"projectId\":10001234,\"operator\":\"1\",\"fileName\":\"dws_a\"}}");
        File.CreateSymbolicLink(_temp.Path("repo", "samples", "link.json"), _temp.Path("secret.json"));
        _temp.Write(Path.Combine("repo", "policies", "freeze.yaml"), Freeze.Replace("is frozen", "is frozen {{ accessKeySecret }}"));
        var tests = _temp.Write(Path.Combine("repo", "policies", "freeze.tests.yaml"), Header + $"""
                - name: leak
                  event: ../../secret.json
                  expect: {"{"} verdict: OK {"}"}
                - name: absolute
                  event: {_temp.Path("secret.json")}
                  expect: {"{"} verdict: OK {"}"}
                - name: detail outside
                  event: ../samples/deploy.json
                  detail: ../../secret.json
                  expect: {"{"} verdict: FAIL {"}"}
                - name: link leading out
                  event: ../samples/link.json
                  expect: {"{"} verdict: OK {"}"}
                - name: inside the repository
                  event: ../samples/deploy.json
                  expect: {"{"} verdict: FAIL {"}"}

            """);

        var (exitCode, stdout, _) = Run("test", _temp.Path("repo", "policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.DoesNotContain("TOPSECRET", stdout, StringComparison.Ordinal);
        Assert.Contains($"{tests}:7:14: error OER4002: the event file '../../secret.json' of case 'leak' is outside {_temp.Path("repo")}, the repository of the test file: a test reads files of its own repository only", stdout);
        Assert.Contains($"error OER4002: the event file '{_temp.Path("secret.json")}' of case 'absolute' is an absolute path: a test reads files by paths relative to it, inside its repository", stdout);
        Assert.Contains("error OER4002: the detail file '../../secret.json' of case 'detail outside' is outside", stdout);
        Assert.Contains("error OER4002: the event file '../samples/link.json' of case 'link leading out' is outside", stdout);
        Assert.EndsWith("1 passed, 0 failed, 4 errors in 5 cases (1 file)\n", stdout);
    }

    private const string TypoCondition = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: ods-only }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          condition: e.Data.Str("fileNmae").StartsWith("dws_")
          actions:
            - block: { reason: "only ods files" }

        """;

    [Fact]
    public void Test_ConditionThatThrows_FailsTheCaseThatWouldPassForTheWrongReason()
    {
        // The typo makes Str return null, so the condition throws on every event and is treated as no match: the case
        // expecting OK passed while the policy could never block.
        _temp.Write("ods-only.yaml", TypoCondition);
        _temp.Write("ods-only.tests.yaml", "apiVersion: openevent.rules/v1\nkind: PolicyTest\nmetadata: { name: ods-tests }\nspec:\n  cases:\n" +
            $"    - name: an ods file passes\n      event: {DeployEvent}\n      expect: {{ verdict: OK }}\n" +
            $"    - name: the guard fails\n      event: {DeployEvent}\n      expect: {{ verdict: OK, conditionErrors: [ods-only] }}\n");

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("FAIL  ods-tests › an ods file passes", stdout);
        Assert.Contains("- the condition of ods-only runs\n", stdout);
        Assert.Contains("+ condition error (ods-only): ", stdout);
        Assert.Contains("PASS  ods-tests › the guard fails", stdout);
        Assert.EndsWith("1 passed, 1 failed, 0 errors in 2 cases (1 file)\n", stdout);
    }

    [Fact]
    public void DryRun_ConditionErrors_CountedAndFailTheRunUnderStrict()
    {
        var policies = _temp.Write("p/ods-only.yaml", TypoCondition);
        var eventFile = _temp.Write("deploy.json", """{"specversion":"1.0","id":"d-1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":1,"fileName":"dws_a"}}""");

        var (plain, stdout, _) = Run("dry-run", "--policies", Path.GetDirectoryName(policies)!, eventFile);
        var (strict, _, _) = Run("dry-run", "--policies", Path.GetDirectoryName(policies)!, "--strict", eventFile);

        Assert.Equal(ExitCodes.Success, plain);
        Assert.EndsWith("1 event(s): 0 FAIL, 0 WARN, 1 OK, 0 regular, 0 invalid; 1 condition error(s)\n", stdout);
        Assert.Equal(ExitCodes.Failure, strict);
    }

    [Fact]
    public void Test_EventFileWithALoneSurrogateInAPropertyName_OER4003NotACrash()
    {
        // The duplicate-key check decodes names, and threw InvalidOperationException for "\udc00", which ended the run.
        _temp.Write("events/odd.json", """{"type":"dataworks:FileChange:DeployFile","data":{"\udc00":1}}""");
        var tests = WriteTests("    - name: odd name\n      event: events/odd.json\n      expect: { verdict: OK }\n");

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{tests}:7:14: error OER4003: the event of case 'odd name' is not a valid event: the event is not valid UTF-8 (invalid-utf8)\n", stdout);
        Assert.EndsWith("0 passed, 0 failed, 1 error in 1 case (1 file)\n", stdout);
    }

    /// <summary>An empty matched or notMatched list holds for every event: the run fails with a located error, whatever the case's own outcome.</summary>
    [Fact]
    public void Test_EmptyMatchedOrNotMatched_OER1014FailsTheRun()
    {
        var tests = WriteTests("    - name: empty lists\n      event: events/deploy.json\n      expect: { matched: [], notMatched: [] }\n");
        _temp.Write("events/deploy.json", File.ReadAllText(RepositoryPaths.Combine("samples", "events", "FileChange-DeployFile.json")));

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.True(stdout.Contains($"{tests}:8:26: error OER1014: expect.matched is an empty list, which checks nothing\n  hint: list the policies that must match, or write matchedExactly: [] to say that no policy matches\n", StringComparison.Ordinal), stdout);
        Assert.Contains("error OER1014: expect.notMatched is an empty list, which checks nothing", stdout);
        Assert.EndsWith("1 passed, 0 failed, 2 errors in 1 case (1 file)\n", stdout);
    }

    [Fact]
    public void Test_DuplicateCaseAndDocumentNames_OER4004()
    {
        var first = WriteTests($"""
                - name: same
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL {"}"}

            """);
        var second = _temp.Write("more.tests.yaml", Header + $"""
                - name: same
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL {"}"}

            """);
        var third = _temp.Write("zzz.tests.yaml", Header.Replace("freeze-tests", "other-tests", StringComparison.Ordinal) + $"""
                - name: same
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL {"}"}
                - name: same
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL {"}"}

            """);

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{second}:3:19: error OER4004: PolicyTest 'freeze-tests' is already defined at {first}:3:19\n", stdout);
        Assert.Contains($"{third}:9:13: error OER4004: test 'other-tests' already has a case named 'same' (at line 6)\n", stdout);
    }

    [Fact]
    public void Test_PolicyInTestFile_OER4005()
    {
        _temp.Write("freeze.yaml", Freeze);
        var tests = _temp.Write("bad.tests.yaml", Freeze);

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith($"{tests}:2:7: error OER4005: a test file holds PolicyTest documents only, not Policy\n", stdout);
    }

    [Theory]
    [InlineData("freeze.test.yaml", "freeze.tests.yaml")]
    [InlineData("tests.yml", "tests.tests.yml")]
    public void Validate_TestInAPolicyFile_OER4006NamesTheFileItShouldBe(string name, string renamed)
    {
        var misnamed = _temp.Write(name, Header + $"    - name: blocks\n      event: {DeployEvent}\n      expect: {{ verdict: OK }}\n");
        WriteTests($"    - name: passes\n      event: {DeployEvent}\n      expect: {{ verdict: FAIL }}\n");

        var (validate, stdout, _) = Run("validate", _temp.Root);
        var (test, testOut, testErr) = Run("test", _temp.Root);

        // Before OER4006 the test was skipped as a policy file's document and never run: validate said 0 errors.
        Assert.Equal(ExitCodes.Failure, validate);
        Assert.Contains($"{misnamed}:2:7: error OER4006: a PolicyTest in a policy file is never run: oer test reads only files named *.tests.yaml\n" +
            $"  hint: rename {name} to {renamed} (or move the test into such a file beside it)\n", stdout);
        // The run refuses the set, so the other file's passing test cannot make CI green.
        Assert.Equal(ExitCodes.Failure, test);
        Assert.Contains("OER4006", testOut + testErr);
    }

    [Fact]
    public void Test_SchemaErrors_LocatedAgainstTheTestSchema()
    {
        var tests = WriteTests("""
                - name: no expectation
                  event: { type: "dataworks:FileChange:DeployFile" }
                  expect: {}
                - name: typo
                  event: { type: "dataworks:FileChange:DeployFile" }
                  expect: { verdit: FAIL }

            """);

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{tests}:8:15: error OER1013: spec.cases[0].expect is empty: the case expects nothing\n", stdout);
        Assert.Contains($"{tests}:11:17: error OER1011: unknown key 'verdit' in spec.cases[1].expect\n  hint: did you mean 'verdict'?\n", stdout);
    }

    [Fact]
    public void Test_SpecPolicies_IsolatesTheCasesFromOtherPolicies()
    {
        _temp.Write("other.yaml", Freeze.Replace("deploy-freeze", "second-freeze", StringComparison.Ordinal));
        _temp.Write("freeze.yaml", Freeze);
        _temp.Write("freeze.tests.yaml", Header.Replace("spec:\n", "spec:\n  policies: [deploy-freeze]\n", StringComparison.Ordinal) + $"""
                - name: only the policy under test is evaluated
                  event: {DeployEvent}
                  expect: {"{"} matchedExactly: [deploy-freeze] {"}"}

            """);

        var (exitCode, stdout, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains($"{_temp.Path("other.yaml")}:3:19: policy second-freeze: no case matched it\n", stdout);
    }

    [Fact]
    public void Test_PatchNullRemovesAKey()
    {
        WriteTests($"""
                - name: without a workspace the scope does not match
                  event: {DeployEvent}
                  patch: {"{"} data: {"{"} projectId: null {"}"} {"}"}
                  expect: {"{"} verdict: OK {"}"}

            """);

        var (exitCode, _, _) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Success, exitCode);
    }

    [Fact]
    public void Test_EventFileRelativeToTheTestFile()
    {
        _temp.Write("events/deploy.json", """{"specversion":"1.0","id":"1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":10001234,"fileName":"a"}}""");
        _temp.Write("tests/freeze.tests.yaml", Header + """
                - name: reads ../events/deploy.json
                  event: ../events/deploy.json
                  expect: { verdict: FAIL }

            """);
        _temp.Write("policies/freeze.yaml", Freeze);

        var (exitCode, stdout, stderr) = Run("test", _temp.Path("tests"), "--policies", _temp.Path("policies"));

        Assert.True(exitCode == ExitCodes.Success, stdout + stderr);
    }

    [Fact]
    public void Test_InvalidPolicies_Exit1BeforeRunning()
    {
        _temp.Write("freeze.yaml", Freeze.Replace("deploy-freeze", "Deploy_Freeze", StringComparison.Ordinal));
        _temp.Write("freeze.tests.yaml", Header + $"""
                - name: never runs
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL {"}"}

            """);

        var (exitCode, stdout, stderr) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("error OER1015: invalid name 'Deploy_Freeze'", stderr);
        Assert.EndsWith("oer: the policies are invalid; fix them before running the tests\n", stderr);
    }

    [Fact]
    public void Test_NoTestFiles_Exit1()
    {
        _temp.Write("freeze.yaml", Freeze);

        var (exitCode, _, stderr) = Run("test", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.EndsWith($"\noer: no policy test files (*.tests.yaml) found in {_temp.Root}\n", stderr);
    }

    [Fact]
    public void Test_RequireCoverage_Exit1WhenSomethingIsNotExercised()
    {
        WriteTests($"""
                - name: blocks a deploy
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL {"}"}

            """);

        Assert.Equal(ExitCodes.Success, Run("test", _temp.Root).ExitCode);
        Assert.Equal(ExitCodes.Failure, Run("test", _temp.Root, "--require-coverage").ExitCode);
    }

    [Fact]
    public void Test_JunitFormat_SuitesCasesFailuresAndErrors()
    {
        var tests = WriteTests($"""
                - name: passes
                  event: {DeployEvent}
                  expect: {"{"} verdict: FAIL {"}"}
                - name: fails
                  event: {DeployEvent}
                  expect: {"{"} verdict: OK {"}"}
                - name: cannot run
                  event: nope.json
                  expect: {"{"} verdict: OK {"}"}

            """);

        var (exitCode, stdout, stderr) = Run("test", _temp.Root, "--format", "junit");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", stdout);
        Assert.StartsWith("coverage: 1 of 1 policies matched by a case", stderr[(stderr.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        var root = XDocument.Parse(stdout).Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal(("3", "1", "1"), ((string?)root.Attribute("tests"), (string?)root.Attribute("failures"), (string?)root.Attribute("errors")));
        var suite = Assert.Single(root.Elements("testsuite"));
        Assert.Equal("freeze-tests", (string?)suite.Attribute("name"));
        Assert.Equal(tests, (string?)suite.Attribute("file"));
        var cases = suite.Elements("testcase").ToList();
        Assert.Equal(["passes", "fails", "cannot run"], cases.Select(c => (string?)c.Attribute("name")));
        Assert.Empty(cases[0].Elements());
        var failure = Assert.Single(cases[1].Elements("failure"));
        Assert.Equal("- verdict: OK\n+ verdict: FAIL", failure.Value);
        Assert.Equal("9", (string?)cases[1].Attribute("line"));
        Assert.Equal("OER4002", (string?)Assert.Single(cases[2].Elements("error")).Attribute("type"));
    }

    [Fact]
    public void Test_ControlCharactersFromEventsAndCases_AreEscapedInTextAndJunit()
    {
        // A file name with an escape sequence and a line break renders into the block reason; the case's name and its
        // expectation carry control characters too. Raw, they reached the terminal and made the JUnit writer throw.
        WriteTests($"""
                - name: "wrong\ewhere"
                  event: {DeployEvent}
                  patch: {"{"} data: {"{"} fileName: "x\e[2J\nPASS" {"}"} {"}"}
                  expect: {"{"} verdict: OK, reasonContains: "y\e" {"}"}

            """);

        var (textExit, text, _) = Run("test", _temp.Root);
        var (junitExit, junit, _) = Run("test", _temp.Root, "--format", "junit");

        Assert.Equal((ExitCodes.Failure, ExitCodes.Failure), (textExit, junitExit));
        Assert.DoesNotContain('\u001b', text + junit);
        Assert.Contains("FAIL  freeze-tests › wrong\\u001bwhere (", text);
        Assert.Contains("      - a block or warn reason containing \"y\\u001b\"\n      + reasons: \"Deploying x\\u001b[2J\\nPASS is frozen\"\n", text);
        Assert.Contains("        block: Deploying x\\u001b[2J\\nPASS is frozen\n", text);
        var testCase = XDocument.Parse(junit).Root!.Descendants("testcase").Single();
        Assert.Equal("wrong\\u001bwhere", (string?)testCase.Attribute("name"));
        Assert.Contains("+ reasons: \"Deploying x\\u001b[2J\\nPASS is frozen\"", testCase.Element("failure")!.Value);
    }

    [Theory]
    [InlineData("test", "no-such-folder")]
    [InlineData("test", "--format", "xml")]
    public void Test_BadCommandLine_Exit2(params string[] args)
    {
        Assert.Equal(ExitCodes.Usage, Run(args).ExitCode);
    }
}
