using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.CommandLine;

/// <summary>
/// The first hour's mistakes (issue 11), each as the user types it: the exact message and exit code. None of them may
/// quietly do something else than what was asked (another policy set, no events, a default port).
/// </summary>
public sealed class CommandLineMistakesTests : IDisposable
{
    private const string Freeze = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions: [ { block: { reason: "frozen" } } ]

        """;

    private readonly TempFolder _temp = new();

    public CommandLineMistakesTests()
    {
        _temp.Write("my-policies/deploy-freeze.yaml", Freeze);
        File.Copy(RepositoryPaths.Combine("samples", "events", "FileChange-DeployFile.json"), _temp.Path("event.json"));
    }

    public void Dispose() => _temp.Dispose();

    private string Policies => _temp.Path("my-policies");

    private string Event => _temp.Path("event.json");

    [Theory]
    [InlineData("validate", "--strcit", "validate: unknown option '--strcit': did you mean '--strict'?")]
    [InlineData("dry-run", "--strcit", "dry-run: unknown option '--strcit': did you mean '--strict'?")]
    [InlineData("dry-run", "--polices", "dry-run: unknown option '--polices': did you mean '--policies'?")]
    [InlineData("explain", "--polcy", "explain: unknown option '--polcy': did you mean '--policy'?")]
    [InlineData("test", "--require-coverge", "test: unknown option '--require-coverge': did you mean '--require-coverage'?")]
    [InlineData("impact", "--exitcode", "impact: unknown option '--exitcode': did you mean '--exit-code'?")]
    [InlineData("serve", "--polices", "serve: unknown option '--polices': did you mean '--policies'?")]
    [InlineData("dry-run", "--policy", "dry-run: unknown option '--policy': did you mean '--policies'?")]
    [InlineData("validate", "-strict", "validate: unknown option '-strict': did you mean '--strict'?")]
    public void UnknownOption_AnyCommand_DidYouMeanExit2(string command, string option, string message)
    {
        // Where the command takes paths, the unknown option used to be read as one ("path not found: --strcit").
        var (exitCode, stdout, stderr) = CliRunner.Run(command, option, Policies);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        Assert.Equal($"oer {message}\nRun 'oer {command} --help' for usage.\n", stderr);
    }

    [Fact]
    public void UnknownOption_WithoutACloseName_ListsTheOptions()
    {
        var (exitCode, _, stderr) = CliRunner.Run("validate", "--bogus", Policies);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer validate: unknown option '--bogus': the options of 'validate' are --env, --expiring-within, --format, --policies, --strict (a path that starts with '-' goes after --)\n"
            + "Run 'oer validate --help' for usage.\n", stderr);
    }

    [Fact]
    public void UnknownOption_ForAnOutboxSubcommand_NamesTheSubcommand()
    {
        var (exitCode, _, stderr) = CliRunner.Run("outbox", "list", "--stauts", "dead");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer outbox list: unknown option '--stauts': did you mean '--status'?\nRun 'oer outbox list --help' for usage.\n", stderr);
    }

    [Fact]
    public void UnknownCommand_DidYouMean()
    {
        var (exitCode, _, stderr) = CliRunner.Run("validat", Policies);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer: unknown command 'validat': did you mean 'validate'?\nRun 'oer --help' for usage.\n", stderr);
    }

    [Fact]
    public void DryRun_PolicyFolderGivenAsEvents_RefusedNamingTheFix()
    {
        // "oer dry-run my-policies/ event.json": the folder used to be skipped and the shipped policies/ evaluated.
        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", Policies, Event);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        Assert.Equal($"oer: no event files (*.json, *.jsonl, *.ndjson) in {Policies}; it holds 1 policy file: pass it with --policies {Policies}\n", stderr);
    }

    [Fact]
    public void DryRun_NoPoliciesOutsideTheRepository_NamesTheOption()
    {
        // The tests run in their output folder, which has no policies/ folder, as a user outside the repository.
        var (exitCode, _, stderr) = CliRunner.Run("dry-run", Event);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer: no --policies given and there is no 'policies' folder here: pass the policy folder with --policies DIR\n", stderr);
    }

    [Fact]
    public void DryRun_NoEvents_NamesWhatIsMissing()
    {
        var (exitCode, _, stderr) = CliRunner.Run("dry-run", "--policies", Policies);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer: no events given: name event files or folders with --events PATH... (or as arguments), or - for standard input\n", stderr);
    }

    [Fact]
    public void DryRun_EmptyEventsFolder_Exit2()
    {
        Directory.CreateDirectory(_temp.Path("events"));

        var (exitCode, _, stderr) = CliRunner.Run("dry-run", "--policies", Policies, "--events", _temp.Path("events"));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal($"oer: no event files (*.json, *.jsonl, *.ndjson) in {_temp.Path("events")}\n", stderr);
    }

    [Fact]
    public void DryRun_EventsFolderWithOtherFiles_WarnsAndFailsUnderStrict()
    {
        _temp.Write("events/deploy.json", File.ReadAllText(Event));
        _temp.Write("events/notes.txt", "not an event");

        var (exitCode, _, stderr) = CliRunner.Run("dry-run", "--policies", Policies, _temp.Path("events"));
        var (strictExit, _, strictErr) = CliRunner.Run("dry-run", "--policies", Policies, _temp.Path("events"), "--strict");

        var warning = $"oer: warning: skipped 1 file in {_temp.Path("events")} that is not an event file (*.json, *.jsonl, *.ndjson): {_temp.Path("events", "notes.txt")}\n";
        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.EndsWith(warning, stderr);
        Assert.Equal(ExitCodes.Failure, strictExit);
        Assert.EndsWith(warning, strictErr);
    }

    [Fact]
    public void DryRun_BatchWithNoEvent_Exit1()
    {
        _temp.Write("empty-batch.json", "[]");

        var (exitCode, _, stderr) = CliRunner.Run("dry-run", "--policies", Policies, _temp.Path("empty-batch.json"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.EndsWith($"oer: the inputs hold no event ({_temp.Path("empty-batch.json")})\n", stderr);
    }

    [Fact]
    public void Validate_FolderWithoutPolicies_Exit2()
    {
        // "oer validate samples/events" used to print "0 errors, 0 warnings in 0 files" and pass.
        var events = RepositoryPaths.Combine("samples", "events");

        var (exitCode, stdout, stderr) = CliRunner.Run("validate", events);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        Assert.StartsWith($"oer: no policy files (*.yaml, *.yml) in {events}; found ", stderr, StringComparison.Ordinal);
        Assert.EndsWith(": policies are YAML files named *.yaml or *.yml\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FolderWithoutPolicies_AFileNameWithALineBreak_IsQuotedEscaped()
    {
        _temp.Write("odd-names/a\nerror OER0000: forged.json", "{}");

        var (exitCode, _, stderr) = CliRunner.Run("validate", _temp.Path("odd-names"));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal($"oer: no policy files (*.yaml, *.yml) in {_temp.Path("odd-names")}; found a\\nerror OER0000: forged.json: policies are YAML files named *.yaml or *.yml\n", stderr);
    }

    [Fact]
    public void Validate_FolderOfPoliciesWrittenAsJson_SaysWhatItFoundInstead()
    {
        _temp.Write("json-policies/deploy-freeze.json", "{\"apiVersion\":\"openevent.rules/v1\"}");
        _temp.Write("json-policies/.git/config", "x");

        var (exitCode, _, stderr) = CliRunner.Run("validate", _temp.Path("json-policies"));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal($"oer: no policy files (*.yaml, *.yml) in {_temp.Path("json-policies")}; found deploy-freeze.json: policies are YAML files named *.yaml or *.yml\n", stderr);
    }

    [Fact]
    public void Validate_FolderOfTestFilesOnly_SaysTheyAreTestCasesAndToRunOerTest()
    {
        // "found freeze.tests.yaml: policies are YAML files named *.yaml" contradicted itself.
        _temp.Write("only-tests/freeze.tests.yaml", "apiVersion: openevent.rules/v1\nkind: PolicyTest\nmetadata: { name: t }\nspec:\n  cases: []\n");

        var (exitCode, _, stderr) = CliRunner.Run("validate", _temp.Path("only-tests"));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal($"oer: no policy files (*.yaml, *.yml) in {_temp.Path("only-tests")}; found freeze.tests.yaml: test files (*.tests.yaml) hold cases, not policies: run oer test on the folder that holds both\n", stderr);
    }

    [Fact]
    public void Validate_TypoInEventType_IsAnErrorWithoutStrict()
    {
        _temp.Write("my-policies/deploy-freeze.yaml", Freeze.Replace("DeployFile", "DeplyFile", StringComparison.Ordinal));

        var (exitCode, stdout, _) = CliRunner.Run("validate", Policies);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{Path.Combine(Policies, "deploy-freeze.yaml")}:5:19: error OER3020: Policy 'deploy-freeze': event type 'dataworks:FileChange:DeplyFile' is not in the DataWorks event catalog\n"
            + "  hint: Did you mean 'dataworks:FileChange:DeployFile'?", stdout);
        Assert.EndsWith("1 error, 0 warnings in 1 file\n", stdout);
    }

    [Fact]
    public void Validate_PoliciesOption_SameAsThePositionalPath()
    {
        var (exitCode, stdout, stderr) = CliRunner.Run("validate", "--policies", Policies);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("0 errors, 0 warnings in 1 file\n", stdout);
        Assert.Matches($"^oer: policies from {Regex.Escape(Policies)}: 1 policy in 1 file, revision sha256:[0-9a-f]{{16}}\n$", stderr);
    }

    [Theory]
    [InlineData("dry-run", "--events")]
    [InlineData("explain", "--events")]
    [InlineData("explain", "--event")]
    [InlineData("dry-run", null)]
    [InlineData("explain", null)]
    public void Events_NamedTheSameWayOnEveryCommand(string command, string? option)
    {
        string[] events = option is null ? [Event] : [option, Event];

        var (exitCode, stdout, stderr) = CliRunner.Run([command, "--policies", Policies, .. events]);

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains("deploy-freeze", stdout);
        Assert.StartsWith($"oer: policies from {Policies}: 1 policy in 1 file, revision sha256:", stderr);
    }

    [Fact]
    public void DryRun_JsonFormat_LoadedSetGoesToStderrOnly()
    {
        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", "--policies", Policies, "--format", "json", Event);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.StartsWith("{\"event\":", stdout);
        Assert.DoesNotContain("policies from", stdout);
        Assert.StartsWith("oer: policies from ", stderr);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("dry-run")]
    [InlineData("explain")]
    [InlineData("test")]
    [InlineData("impact")]
    [InlineData("serve")]
    [InlineData("outbox")]
    [InlineData("outbox", "list")]
    [InlineData("outbox", "retry")]
    [InlineData("outbox", "purge")]
    public void Help_EveryCommand_ShowsExamplesAndExitCodes(params string[] command)
    {
        var (exitCode, stdout, _) = CliRunner.Run([.. command, "--help"]);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains($"\nExamples:\n  oer {string.Join(' ', command)}", stdout);
        Assert.Contains("\nExit codes:\n  0  ", stdout);
        Assert.Contains("\n  2  command-line mistake: unknown option or command, missing value, a path that does not exist or holds nothing to read", stdout);
    }

    [Fact]
    public void Help_Serve_ListsTheSettingsWithoutTheGenericPassThroughText()
    {
        var (_, stdout, _) = CliRunner.Run("serve", "--help");

        Assert.DoesNotContain("Additional Arguments", stdout);
        Assert.DoesNotContain("<additional arguments>", stdout);
        Assert.Contains(" serve [options]\n", stdout);
        Assert.Contains("  --port <PORT>", stdout);
        Assert.Contains("\n  --OpenEventRules:Limits:MaxEventBytes\n", stdout);
        Assert.Contains("\n  --OpenEventRules:Actions:Channels:{name}:RateLimitPerMinute\n", stdout);
    }

    [Fact]
    public void Outbox_Alone_ShowsTheGroupsHelp()
    {
        var (exitCode, stdout, stderr) = CliRunner.Run("outbox");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stderr);
        Assert.StartsWith("Description:\n  Inspect and replay the actions of the host's outbox", stdout);
        Assert.Contains("\n  list ", stdout);
        Assert.Contains("\n  retry ", stdout);
        Assert.Contains("\n  purge ", stdout);
        Assert.Contains("\nExamples:\n  oer outbox list --status dead\n", stdout);
    }

    [Fact]
    public void Oer_Alone_ShowsTheCommands()
    {
        var (exitCode, stdout, stderr) = CliRunner.Run();

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stderr);
        Assert.Contains("\n  validate ", stdout);
        Assert.Contains("\n  outbox ", stdout);
        Assert.Contains("\nExit codes:\n  0  success\n", stdout);
    }

    [Fact]
    public void Serve_MisspeltSetting_DidYouMeanExit2()
    {
        var (exitCode, _, stderr) = CliRunner.Run("serve", "--policies", Policies, "--OpenEventRules:Limits:MaxEventByte", "5");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer serve: unknown setting OpenEventRules:Limits:MaxEventByte (command line): did you mean OpenEventRules:Limits:MaxEventBytes?\n", stderr);
    }

    [Fact]
    public void Serve_MisspeltSection_DidYouMeanExit2()
    {
        var (exitCode, _, stderr) = CliRunner.Run("serve", "--policies", Policies, "--OpenEventRule:Limits:MaxEventBytes=5");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer serve: unknown option '--OpenEventRule:Limits:MaxEventBytes': did you mean --OpenEventRules:Limits:MaxEventBytes?\n", stderr);
    }

    [Theory]
    [InlineData("--port", "18333", "--urls", "http://127.0.0.1:18334", "oer serve: --port and --urls were both given: keep one (--port N listens on http://127.0.0.1:N).")]
    [InlineData("--port", "http", null, null, "oer serve: --port 'http' is not a port number: give a number from 1 to 65535, e.g. --port 8080.")]
    [InlineData("--port", "70000", null, null, "oer serve: --port '70000' is not a port number: give a number from 1 to 65535, e.g. --port 8080.")]
    [InlineData("--urls", "18333", null, null, "oer serve: --urls '18333' is not a URL: write it like http://127.0.0.1:18333 (or give only the port with --port)")]
    public void Serve_PortThatCannotWork_Refused(string option, string value, string? other, string? otherValue, string message)
    {
        string[] extra = other is null ? [] : [other, otherValue!];

        var (exitCode, _, stderr) = CliRunner.Run(["serve", "--policies", Policies, option, value, .. extra]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal(message + "\n", stderr);
    }

    [Fact]
    public void Serve_PortInUse_OneLineNamingThePortAndTheSetting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = new DocumentedSession(_temp.Root).Oer(["serve", "--policies", "my-policies", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"\noer serve: the host did not start: http://127.0.0.1:{port} is already in use by another process; stop it, or listen on another port with "
            + "--urls http://127.0.0.1:<port> (the 'urls' setting; oer serve --port <port>)\n", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
        Assert.True(output.Split('\n').Length < 12, output);
    }

    [Fact]
    public void Serve_InvalidPolicies_DiagnosticsThenOneLineNoStackTrace()
    {
        _temp.Write("bad/x.yaml", "apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: Bad_Name }\nspec: { match: {type: [\"dataworks:FileChange:DeployFile\"]}, actions: [ { block: { reason: x } } ] }\n");

        var (exitCode, output) = new DocumentedSession(_temp.Root).Oer(["serve", "--policies", "bad", "--port", "1"]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("bad/x.yaml:3:19: error OER1015: invalid name 'Bad_Name': names are kebab-case", output);
        Assert.Contains("The policy set has 1 error(s); nothing is served", output);
        Assert.EndsWith("\noer serve: the host did not start: the policies in 'bad' are invalid; fix the errors logged above ('oer validate bad' lists them too).\n", output);
        Assert.DoesNotContain("keeps serving", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
    }

    [Fact]
    public void Validate_Env_ReportsTheUnsetVariableOfAChannel()
    {
        var variable = "OER_TEST_UNSET_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        _temp.Write("my-policies/oncall.yaml", $"apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: {{ name: oncall }}\nspec: {{ type: webhook, urlFrom: {{ env: {variable} }} }}\n");

        var (plainExit, plain, _) = CliRunner.Run("validate", Policies);
        var (exitCode, stdout, _) = CliRunner.Run("validate", Policies, "--env");
        var (strictExit, _, _) = CliRunner.Run("validate", Policies, "--env", "--strict");

        Assert.Equal((ExitCodes.Success, "0 errors, 0 warnings in 2 files\n"), (plainExit, plain));
        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(
            $"{Path.Combine(Policies, "oncall.yaml")}:4:40: warning OER3046: channel 'oncall' reads its URL from the environment variable {variable}, which is not set: its notifications would be dead-lettered\n"
            + $"  hint: set {variable} in the environment of the host (e.g. export {variable}=...) and restart it\n"
            + "0 errors, 1 warning in 2 files\n", stdout);
        Assert.Equal(ExitCodes.Failure, strictExit);
    }
}
