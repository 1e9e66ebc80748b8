using System.Text.Json;
using System.Text.RegularExpressions;
using NJsonSchema;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private const string GoodChannel = "apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: NAME }\nspec: { type: webhook, urlFrom: { env: OER_HOOK_URL } }\n";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, string text) => _temp.Write(name, text);

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => CliRunner.Run(args);

    /// <summary>A folder with a YAML syntax error (a.yaml), a bad name (b.yaml) and a valid channel (c.yaml).</summary>
    private void WriteBrokenFolder()
    {
        Write("a.yaml", "a: b: c\n");
        Write("b.yaml", GoodChannel.Replace("NAME", "Bad_Name"));
        Write("c.yaml", GoodChannel.Replace("NAME", "good"));
    }

    [Fact]
    public void Validate_ValuesTheSchemasDoNotList_Oer3064WithTheClosestListedValue()
    {
        // The event catalog's schemas list these fields' values: "prod", 7 and "SLA_ALERTS" never match, in silence.
        var file = Write("p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: e }
            spec:
              match:
                type: ["dataworks:InstanceStatusChanges:InstanceStatusChanges", "dataworks:MonitorAlert:WorkbenchMonitorAlert"]
                data: { dagType: [7, 3], alarmType: [SLA_ALERTS, TOPIC_ALERT], taskType: ["1"] }
              actions: [ { forward: { target: log } } ]
            """);

        var (exitCode, stdout, _) = Run("validate", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{file}:7:23: warning OER3064: Policy 'e': 7 is not a value of 'data.dagType', which the schemas list as 0, 1, 2, 3, 4, 5\n", stdout);
        Assert.Contains($"{file}:7:42: warning OER3064: Policy 'e': \"SLA_ALERTS\" is not a value of 'data.alarmType', which the schemas list as SLA_ALERT, TOPIC_ALERT, REMIND_ALERT\n" +
            "  hint: Did you mean 'SLA_ALERT'? Values are case-sensitive and typed (4 is not \"4\"); the listed values are in schemas/events/<family>.schema.json.\n", stdout);
        // A value of another type than the listed ones is the type check's (OER3022, the exit code 1), not said twice.
        Assert.Contains("error OER3022: Policy 'e': ", stdout);
        Assert.DoesNotContain("OER3064: Policy 'e': \"1\"", stdout);
    }

    [Fact]
    public void Validate_ValidFolder_Exit0WithSummary()
    {
        Write("channels.yaml", GoodChannel.Replace("NAME", "a") + "---\n" + GoodChannel.Replace("NAME", "b"));
        Write("targets.yaml", "apiVersion: openevent.rules/v1\nkind: Target\nmetadata: { name: sink }\nspec: { type: file, path: out.jsonl }\n");

        var (exitCode, stdout, stderr) = Run("validate", _temp.Root);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("0 errors, 0 warnings in 2 files\n", stdout);
        Assert.Matches($"^oer: policies from {Regex.Escape(_temp.Root)}: 0 policies in 2 files, revision sha256:[0-9a-f]{{16}}\n$", stderr);
    }

    [Fact]
    public void Validate_Errors_TextWithLocationsHintsAndSummaryExit1()
    {
        WriteBrokenFolder();

        var (exitCode, stdout, _) = Run("validate", _temp.Root);

        Assert.Equal(ExitCodes.Failure, exitCode);
        var a = Path.Join(_temp.Root, "a.yaml");
        var b = Path.Join(_temp.Root, "b.yaml");
        Assert.Equal(
            $"""
            {a}:1:5: error OER1001: YAML syntax error: while scanning a plain scalar value, found invalid mapping
              hint: a value that contains ': ' must be quoted, e.g. reason: "frozen: see ticket 42"
            {b}:3:19: error OER1015: invalid name 'Bad_Name': names are kebab-case
              hint: use lowercase letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit, e.g. 'bad-name'
            2 errors, 0 warnings in 3 files

            """, stdout);
    }

    [Fact]
    public void Validate_JsonFormat_ArrayOfDiagnostics()
    {
        WriteBrokenFolder();

        var (exitCode, stdout, _) = Run("validate", _temp.Root, "--format", "json");

        Assert.Equal(ExitCodes.Failure, exitCode);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(2, json.RootElement.GetArrayLength());
        var first = json.RootElement[0];
        Assert.Equal("OER1001", first.GetProperty("id").GetString());
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.Equal(Path.Join(_temp.Root, "a.yaml"), first.GetProperty("file").GetString());
        Assert.Equal(1, first.GetProperty("line").GetInt32());
        Assert.Equal(5, first.GetProperty("column").GetInt32());
        Assert.Equal("YAML syntax error: while scanning a plain scalar value, found invalid mapping", first.GetProperty("message").GetString());
        Assert.Equal("a value that contains ': ' must be quoted, e.g. reason: \"frozen: see ticket 42\"", first.GetProperty("hint").GetString());
        Assert.Equal(
            ["id", "severity", "file", "line", "column", "message", "hint"],
            first.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Validate_JsonFormatFileLevelProblem_NullPosition()
    {
        var huge = Path.Combine(_temp.Root, "huge.yaml");
        using (var stream = new FileStream(huge, FileMode.CreateNew))
        {
            stream.SetLength(11L * 1024 * 1024);
        }

        var (_, stdout, _) = Run("validate", huge, "--format", "json");

        using var json = JsonDocument.Parse(stdout);
        var diagnostic = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("OER1004", diagnostic.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, diagnostic.GetProperty("line").ValueKind);
        Assert.Equal(JsonValueKind.Null, diagnostic.GetProperty("column").ValueKind);
    }

    [Fact]
    public async Task Validate_SarifFormat_ValidAgainstTheSarifSubsetSchema()
    {
        WriteBrokenFolder();

        var (exitCode, stdout, _) = Run("validate", _temp.Root, "--format", "sarif");

        Assert.Equal(ExitCodes.Failure, exitCode);
        var schema = await JsonSchema.FromFileAsync(RepositoryPaths.Combine("tests", "OpenEvent.Rules.Cli.Tests", "Schemas", "sarif-2.1.0-subset.schema.json"));
        Assert.Empty(schema.Validate(stdout));
    }

    [Fact]
    public void SarifSchema_NpmMissing_FailsSayingWhatToInstall()
    {
        var missing = "npm-not-installed-" + Guid.NewGuid().ToString("N");

        var error = Assert.Throws<InvalidOperationException>(() => OfficialSarifSchema.Fetch(missing, _temp.Path("not-cached.json")));

        Assert.StartsWith(OfficialSarifSchema.MissingNpm + $" ({missing}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y npm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SarifFormat_ValidAgainstTheOfficialSarifSchema()
    {
        WriteBrokenFolder();

        var (_, stdout, _) = Run("validate", _temp.Root, "--format", "sarif");

        var schema = await JsonSchema.FromJsonAsync(OfficialSarifSchema.Text);
        Assert.Empty(schema.Validate(stdout));

        // The check can fail: a result level SARIF does not define is refused.
        var broken = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        broken["runs"]![0]!["results"]![0]!["level"] = "fatal";
        Assert.NotEmpty(schema.Validate(broken.ToJsonString()));
    }

    [Fact]
    public void Validate_SarifFormat_ToolRulesResultsAndRelativeLocations()
    {
        WriteBrokenFolder();

        var (_, stdout, _) = Run("validate", _temp.Root, "--format", "sarif");

        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("https://json.schemastore.org/sarif-2.1.0.json", root.GetProperty("$schema").GetString());
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("oer", driver.GetProperty("name").GetString());
        Assert.Collection(driver.GetProperty("rules").EnumerateArray(),
            rule =>
            {
                Assert.Equal("OER1001", rule.GetProperty("id").GetString());
                Assert.Equal("YAML syntax", rule.GetProperty("shortDescription").GetProperty("text").GetString());
                Assert.EndsWith("policy-guide.md#oer1001", rule.GetProperty("helpUri").GetString());
            },
            rule =>
            {
                Assert.Equal("OER1015", rule.GetProperty("id").GetString());
                Assert.Equal("Invalid name", rule.GetProperty("shortDescription").GetProperty("text").GetString());
            });

        var result = run.GetProperty("results")[1];
        Assert.Equal("OER1015", result.GetProperty("ruleId").GetString());
        Assert.Equal(1, result.GetProperty("ruleIndex").GetInt32());
        Assert.Equal("error", result.GetProperty("level").GetString());
        Assert.Equal(
            "invalid name 'Bad_Name': names are kebab-case (hint: use lowercase letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit, e.g. 'bad-name')",
            result.GetProperty("message").GetProperty("text").GetString());
        var location = Assert.Single(result.GetProperty("locations").EnumerateArray()).GetProperty("physicalLocation");
        var expectedUri = Path.GetRelativePath(Environment.CurrentDirectory, Path.Join(_temp.Root, "b.yaml")).Replace('\\', '/');
        Assert.Equal(expectedUri, location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(3, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal(19, location.GetProperty("region").GetProperty("startColumn").GetInt32());
    }

    [Fact]
    public void Validate_WarningsOnly_Exit0UnlessStrict()
    {
        var path = Write("slack.yaml", "apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: team-slack }\nspec: { type: slack, urlFrom: { env: U }, secretFrom: { env: S } }\n");

        var (lenient, lenientOut, _) = Run("validate", path);
        var (strict, _, _) = Run("validate", path, "--strict");

        Assert.Equal(ExitCodes.Success, lenient);
        Assert.Equal(ExitCodes.Failure, strict);
        Assert.Equal(
            $"{path}:4:43: warning OER1014: 'secretFrom' is not used by slack channels\n"
            + "  hint: remove it: a Slack incoming webhook needs only urlFrom; signing secrets apply to dingtalk and lark\n"
            + "0 errors, 1 warning in 1 file\n",
            lenientOut);
    }

    [Fact]
    public void Validate_MissingPath_Exit2WithMessage()
    {
        var existing = Write("c.yaml", GoodChannel.Replace("NAME", "good"));

        var (exitCode, stdout, stderr) = Run("validate", existing, "no-such-folder");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        Assert.Equal("oer: path not found: no-such-folder\n", stderr);
    }

    [Fact]
    public void Validate_NoPaths_DefaultsToPoliciesFolder()
    {
        // The test runs in the output folder, which has no policies/ folder.
        var (exitCode, _, stderr) = Run("validate");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer: no --policies given and there is no 'policies' folder here: pass the policy folder with --policies DIR\n", stderr);
    }

    [Theory]
    [InlineData("validate", "--bogus")]
    [InlineData("validate", "--format", "xml")]
    public void Validate_BadCommandLine_Exit2(params string[] args)
    {
        var (exitCode, _, stderr) = Run(args);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.StartsWith("oer validate: ", stderr);
    }
}
