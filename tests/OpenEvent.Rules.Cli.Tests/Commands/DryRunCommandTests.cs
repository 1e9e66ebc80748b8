using System.Text.Json;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.Commands;

public sealed class DryRunCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Policies => RepositoryPaths.Combine("policies");

    private static string Samples => RepositoryPaths.Combine("samples", "events");

    private const string DeployFreeze = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: freeze }
        spec:
          priority: 10
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions:
            - block: { reason: "no deploys of {{ data.fileName }}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: audit-deploys }
        spec:
          mode: audit
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions:
            - warn: { reason: "audited" }
        """;

    [Fact]
    public void DryRun_ShippedPoliciesOnEverySample_EvaluatesEveryEventAsJsonLines()
    {
        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", "--policies", Policies, "--format", "json", Samples);

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // One line per event: every catalog sample, the FC envelope, and the three events of batch.json.
        Assert.Equal(EventCatalog.Default.EventTypes.Length + 1 + 3, lines.Count);
        Assert.All(lines, l => Assert.Equal(JsonValueKind.Null, l.GetProperty("error").ValueKind));
        var types = lines.Select(l => l.GetProperty("event").GetProperty("type").GetString()).ToHashSet();
        Assert.All(EventCatalog.Default.EventTypes, t => Assert.Contains(t.Type, types));
        Assert.Contains(lines, l => l.GetProperty("verdict").ValueKind == JsonValueKind.Null);
        Assert.Contains(lines, l => l.GetProperty("verdict").GetString() == "OK");
    }

    [Fact]
    public void DryRun_Json_HasTheDocumentedShape()
    {
        _temp.Write("policies/p.yaml", DeployFreeze);
        var deploy = Path.Join(Samples, "FileChange-DeployFile.json");

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), "--format", "json", deploy);

        Assert.Equal(ExitCodes.Success, exitCode);
        var decision = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["event", "scope", "verdict", "matched", "audit", "conditionErrors", "detail", "detailErrors", "error"], decision.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["id", "type", "file", "index"], decision.GetProperty("event").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["tenant", "tenantName", "workspace", "workspaceName", "region", "environment", "operator", "labels", "owners", "fromRegistry"],
            decision.GetProperty("scope").EnumerateObject().Select(p => p.Name));
        Assert.Equal("10001234", decision.GetProperty("scope").GetProperty("workspace").GetString());
        Assert.Equal(JsonValueKind.Null, decision.GetProperty("scope").GetProperty("workspaceName").ValueKind);
        Assert.Equal(deploy, decision.GetProperty("event").GetProperty("file").GetString());
        Assert.Equal(0, decision.GetProperty("event").GetProperty("index").GetInt32());
        Assert.Equal("FAIL", decision.GetProperty("verdict").GetString());
        var matched = decision.GetProperty("matched").EnumerateArray().Single();
        Assert.Equal("freeze", matched.GetProperty("policy").GetString());
        Assert.Equal("enforce", matched.GetProperty("mode").GetString());
        Assert.EndsWith("p.yaml:3:19", matched.GetProperty("location").GetString());
        var action = matched.GetProperty("actions").EnumerateArray().Single();
        Assert.Equal("block", action.GetProperty("kind").GetString());
        Assert.Equal("no deploys of dws_orders", action.GetProperty("reason").GetString());
        var audit = decision.GetProperty("audit").EnumerateArray().Single();
        Assert.Equal("audit-deploys", audit.GetProperty("policy").GetString());
        Assert.Equal("audit", audit.GetProperty("mode").GetString());
    }

    [Fact]
    public void DryRun_AuditOnlyWarn_DoesNotChangeTheVerdict()
    {
        _temp.Write("policies/p.yaml", DeployFreeze.Split("---")[1]);

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), "--format", "json",
            Path.Join(Samples, "FileChange-DeployFile.json"));

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("OK", JsonDocument.Parse(stdout).RootElement.GetProperty("verdict").GetString());
    }

    [Fact]
    public void DryRun_Text_IsAReadableTableWithActionsAndASummary()
    {
        _temp.Write("policies/p.yaml", DeployFreeze);
        var deploy = _temp.Write("events/deploy.json", File.ReadAllText(Path.Join(Samples, "FileChange-DeployFile.json")));
        var broken = _temp.Write("events/x.json", "{\"specversion\":\"1.0\",\"id\":\"x\"}");

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), deploy, broken);

        Assert.Equal(ExitCodes.Failure, exitCode);
        var deployName = $"{deploy}[0]";
        var brokenName = $"{broken}[0]".PadRight(deployName.Length);
        Assert.Equal(
            $"{"EVENT".PadRight(deployName.Length)}  TYPE                   VERDICT  MATCHED\n" +
            $"{deployName}  FileChange:DeployFile  FAIL     freeze\n" +
            "    block (freeze): no deploys of dws_orders\n" +
            "    would warn (audit-deploys): audited\n" +
            $"{brokenName}  -                      INVALID  missing-type\n" +
            "    the event has no 'type' string attribute\n" +
            "2 event(s): 1 FAIL, 0 WARN, 0 OK, 0 regular, 1 invalid\n",
            stdout);
    }

    [Fact]
    public void DryRun_TypeNotInTheCatalog_WarnsOncePerTypeWithADidYouMean_AndFailsUnderStrict()
    {
        _temp.Write("policies/p.yaml", DeployFreeze);
        var sample = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Join(Samples, "FileChange-DeployFile.json")))!.AsObject();
        sample["type"] = "dataworks:FileChange:DeployFil";
        var line = sample.ToJsonString();
        var file = _temp.Write("events/misspelt.jsonl", line + "\n" + line.Replace(sample["id"]!.GetValue<string>(), "other-id", StringComparison.Ordinal) + "\n");

        var (exitCode, _, stderr) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), file);
        var (strictExit, _, _) = CliRunner.Run("dry-run", "--strict", "--policies", Path.Join(_temp.Root, "policies"), file);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(ExitCodes.Failure, strictExit);
        var warning = Assert.Single(stderr.ReplaceLineEndings("\n").Split('\n'), l => l.Contains("warning: type", StringComparison.Ordinal));
        Assert.Equal(
            $"{file}[0]: warning: type 'dataworks:FileChange:DeployFil' is not in the DataWorks event catalog (did you mean 'dataworks:FileChange:DeployFile'?); it is decided by data.blockBusiness (true: an extension point, else a regular event)",
            warning);
    }

    /// <summary>
    /// Events the host refuses at its door (POST /events: 400 with these error ids) are INVALID in a dry run too, not
    /// decided: a dry run that blocked an event the host never evaluates would mislead the author.
    /// </summary>
    [Theory]
    [InlineData("source", null, "missing-source")]
    [InlineData("source", "acs.dataworks.fake", "invalid-source")]
    [InlineData("id", "a b", "invalid-id")]
    [InlineData("aliyunregionid", "CN-Hangzhou", "invalid-region")]
    public void DryRun_EventTheHostRefuses_InvalidWithTheHostsErrorId(string attribute, string? value, string errorId)
    {
        _temp.Write("policies/p.yaml", DeployFreeze);
        var sample = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Join(Samples, "FileChange-DeployFile.json")))!.AsObject();
        if (value is null)
        {
            sample.Remove(attribute);
        }
        else
        {
            sample[attribute] = value;
        }

        var file = _temp.Write("events/refused.json", sample.ToJsonString());

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), "--format", "json", file);

        Assert.Equal(ExitCodes.Failure, exitCode);
        var decision = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(errorId, decision.GetProperty("error").GetProperty("id").GetString());
    }

    [Fact]
    public void DryRun_Text_StagedPolicyNamesItsStage()
    {
        _temp.Write("policies/p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: staged }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              enforceIn: { workspaces: [10009999] }
              actions: [ { block: { reason: "review first" } } ]
            """);
        var deploy = _temp.Write("events/deploy.json", File.ReadAllText(Path.Join(Samples, "FileChange-DeployFile.json")));

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), deploy);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(
            $"{"EVENT".PadRight($"{deploy}[0]".Length)}  TYPE                   VERDICT  MATCHED\n" +
            $"{deploy}[0]  FileChange:DeployFile  OK       -\n" +
            "    would block (staged): review first\n" +
            "    stage (staged): not in enforceIn: workspace 10001234\n" +
            "1 event(s): 0 FAIL, 0 WARN, 1 OK, 0 regular, 0 invalid\n",
            stdout);
    }

    [Fact]
    public void DryRun_Text_LineBreaksFromTheEventStayOnTheirRow()
    {
        // A duplicate key with a line break in its name, a type and a rendered reason with one: each row stays one line.
        _temp.Write("policies/p.yaml", DeployFreeze);
        var events = _temp.Write("events.jsonl",
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"a\\nb\":1,\"a\\nb\":2}\n"
            + "{\"specversion\":\"1.0\",\"id\":\"y\",\"source\":\"acs.dataworks\",\"type\":\"dataworks:a\\nb\"}\n"
            + "{\"specversion\":\"1.0\",\"id\":\"z\",\"source\":\"acs.dataworks\",\"type\":\"dataworks:FileChange:DeployFile\",\"data\":{\"fileName\":\"a\\r\\nb\\u001b\"}}\n");

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), events);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal(
            $"EVENT{new string(' ', events.Length - 2)}  TYPE                   VERDICT  MATCHED\n" +
            $"{events}[0]  -                      INVALID  duplicate-key\n" +
            "    the event has a duplicate property: Duplicate property 'a\\nb' encountered during deserialization\n" +
            $"{events}[1]  a\\nb                   -        -\n" +
            $"{events}[2]  FileChange:DeployFile  FAIL     freeze\n" +
            "    block (freeze): no deploys of a\\r\\nb\\u001b\n" +
            "    would warn (audit-deploys): audited\n" +
            "3 event(s): 1 FAIL, 0 WARN, 0 OK, 1 regular, 1 invalid\n",
            stdout);
    }

    [Fact]
    public void DryRun_SomeInvalidEvents_ReportsEachAndEvaluatesTheRestExit1()
    {
        _temp.Write("policies/p.yaml", DeployFreeze);
        var deploy = File.ReadAllText(Path.Join(Samples, "FileChange-DeployFile.json")).ReplaceLineEndings(" ");
        var events = _temp.Write("events.jsonl", $"{deploy}\n{{\"specversion\":\"1.0\",\"id\":\"x\"}}\nnot json\n{deploy}\n");

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), "--format", "json", events);

        Assert.Equal(ExitCodes.Failure, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Equal("FAIL", lines[0].GetProperty("verdict").GetString());
        Assert.Equal("missing-type", lines[1].GetProperty("error").GetProperty("id").GetString());
        Assert.Equal(1, lines[1].GetProperty("event").GetProperty("index").GetInt32());
        Assert.Equal("invalid-json", lines[2].GetProperty("error").GetProperty("id").GetString());
        Assert.Equal("FAIL", lines[3].GetProperty("verdict").GetString());
    }

    [Fact]
    public void DryRun_Stdin_ReadsEventsFromDash()
    {
        _temp.Write("policies/p.yaml", DeployFreeze);

        var (exitCode, stdout, _) = CliRunner.RunWithInput(File.ReadAllText(Path.Join(Samples, "batch.json")),
            "dry-run", "--policies", Path.Join(_temp.Root, "policies"), "--format", "json", "-");

        Assert.Equal(ExitCodes.Success, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal("-", l.GetProperty("event").GetProperty("file").GetString()));
    }

    [Fact]
    public void DryRun_InvalidPolicies_Exit1WithDiagnostics()
    {
        _temp.Write("policies/p.yaml", DeployFreeze.Replace("mode: audit", "mode: sometimes"));

        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), Path.Join(Samples, "FileChange-DeployFile.json"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("error OER1014: invalid value 'sometimes' for spec.mode", stderr);
    }

    [Theory]
    [InlineData("dry-run", "--policies", "policies")]
    [InlineData("dry-run", "--policies", "policies", "--format", "xml", "samples/events")]
    [InlineData("dry-run", "--policies", "policies", "no/such/file.json")]
    [InlineData("dry-run", "--policies", "no/such/folder", "samples/events")]
    [InlineData("dry-run", "--unknown", "samples/events")]
    public void DryRun_UsageErrors_Exit2(params string[] args)
    {
        var absolute = args.Select(a => a.StartsWith("samples", StringComparison.Ordinal) || a == "policies" ? RepositoryPaths.Combine(a) : a).ToArray();

        var (exitCode, _, stderr) = CliRunner.Run(absolute);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.StartsWith("oer", stderr);
        Assert.DoesNotContain("policies from", stderr);
    }

    [Fact]
    public void DryRun_Conditions_DecideTheMatch()
    {
        _temp.Write("policies/p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: always }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: '1 + 1 == 2'
              actions: [ { block: { reason: "always" } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: never }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: '1 + 1 == 3'
              actions: [ { block: { reason: "never" } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: field-based }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: |
                e.Data.Str("fileName").StartsWith("dws_")
                && e.Data.Long("projectId") == 10001234
              actions: [ { warn: { reason: "dws file" } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: throws }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: 'e.Data.Str("missing").Length > 0'
              actions: [ { block: { reason: "should not block" } } ]
            """);

        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), "--format", "json",
            Path.Join(Samples, "FileChange-DeployFile.json"));

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var decision = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["always", "field-based"], decision.GetProperty("matched").EnumerateArray().Select(m => m.GetProperty("policy").GetString()!).Order());
        var error = decision.GetProperty("conditionErrors").EnumerateArray().Single();
        Assert.Equal("throws", error.GetProperty("policy").GetString());
        Assert.False(error.GetProperty("treatedAsMatch").GetBoolean());
    }
}
