using OpenEvent.Rules.Cli;
using OpenEvent.Rules.Expressions.Tests;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>Every sandbox escape attempt, written as a policy, is refused by `oer validate` with a located diagnostic.</summary>
public sealed class ConditionValidationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Validate_EveryEscapeAttempt_Exit1WithItsIdAtTheConditionLine()
    {
        Assert.True(EscapeAttempts.All.Length >= 40);
        for (var i = 0; i < EscapeAttempts.All.Length; i++)
        {
            // A literal block keeps every character of the expression as written; its text starts on line 7, column 5.
            _temp.Write($"policies/attempt-{i:D3}.yaml", $"""
                apiVersion: openevent.rules/v1
                kind: Policy
                metadata: {"{"} name: attempt-{i:D3} {"}"}
                spec:
                  match: {"{"} type: ["dataworks:FileChange:DeployFile"] {"}"}
                  condition: |-
                    {EscapeAttempts.All[i].Expression.Replace("\n", "\n    ")}
                  actions: [ {"{"} block: {"{"} reason: "x" {"}"} {"}"} ]
                """);
        }

        var (exitCode, stdout, _) = CliRunner.Run("validate", "--format", "json", Path.Join(_temp.Root, "policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        var diagnostics = System.Text.Json.JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        for (var i = 0; i < EscapeAttempts.All.Length; i++)
        {
            var attempt = EscapeAttempts.All[i];
            var file = $"attempt-{i:D3}.yaml";
            var own = diagnostics.Where(d => d.GetProperty("file").GetString()!.EndsWith(file, StringComparison.Ordinal)).ToList();
            Assert.True(own.Any(d => d.GetProperty("id").GetString() == attempt.Id && d.GetProperty("line").GetInt32() >= 7),
                $"{attempt.Name}: expected {attempt.Id} located in the condition of {file}; got {string.Join("; ", own.Select(d => $"{d.GetProperty("id")} {d.GetProperty("line")}:{d.GetProperty("column")} {d.GetProperty("message")}"))}");
        }
    }

    [Fact]
    public void Validate_StatementInABlockScalar_IsLocatedNotAStackTrace()
    {
        // A block scalar keeps its final line break; a statement followed by it used to crash the syntax gate
        // (ArgumentOutOfRangeException), and `oer validate` died with a stack trace and no location.
        _temp.Write("policies/p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: loops }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: |
                while(true) {}
              actions: [ { block: { reason: "x" } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: returns }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: >
                return true
              actions: [ { block: { reason: "x" } } ]
            """);

        var (exitCode, stdout, stderr) = CliRunner.Run("validate", Path.Join(_temp.Root, "policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("p.yaml:7:5: error OER2003: The condition is not a single C# expression: Invalid expression term 'while' (CS1525).", stdout);
        Assert.Contains("p.yaml:16:5: error OER2003: The condition is not a single C# expression: Invalid expression term 'return' (CS1525).", stdout);
    }

    [Fact]
    public void Validate_TwoPoliciesOfOneNameWithConditions_ReportsBothNotACrash()
    {
        // Both conditions went to the compiler under the same key, which threw: validation (and a reload) died.
        _temp.Write("policies/p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: same }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: 'true'
              actions: [ { block: { reason: "x" } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: same }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: 'e.Nope'
              actions: [ { block: { reason: "x" } } ]
            """);

        var (exitCode, stdout, stderr) = CliRunner.Run("validate", Path.Join(_temp.Root, "policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("p.yaml:11:19: error OER3001: Policy 'same' is already defined at ", stdout);
        Assert.Contains("p.yaml:14:17: error OER2001: 'ConditionEvent' does not contain a definition for 'Nope'", stdout);
    }

    [Fact]
    public void Validate_EveryUnboundedShape_Exit1WithItsIdAtTheConditionLine()
    {
        for (var i = 0; i < ExhaustionCases.Refusals.Length; i++)
        {
            _temp.Write($"policies/refused-{i:D3}.yaml", $"""
                apiVersion: openevent.rules/v1
                kind: Policy
                metadata: {"{"} name: refused-{i:D3} {"}"}
                spec:
                  match: {"{"} type: ["dataworks:FileChange:DeployFile"] {"}"}
                  condition: |-
                    {ExhaustionCases.Refusals[i].Expression}
                  actions: [ {"{"} block: {"{"} reason: "x" {"}"} {"}"} ]
                """);
        }

        var (exitCode, stdout, _) = CliRunner.Run("validate", "--format", "json", Path.Join(_temp.Root, "policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        var diagnostics = System.Text.Json.JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        for (var i = 0; i < ExhaustionCases.Refusals.Length; i++)
        {
            var refused = ExhaustionCases.Refusals[i];
            var own = diagnostics.Where(d => d.GetProperty("file").GetString()!.EndsWith($"refused-{i:D3}.yaml", StringComparison.Ordinal)).ToList();
            Assert.True(own.Any(d => d.GetProperty("id").GetString() == refused.Id && d.GetProperty("line").GetInt32() == 7 && d.GetProperty("column").GetInt32() >= 5),
                $"{refused.Name}: expected {refused.Id} at line 7; got {string.Join("; ", own.Select(d => $"{d.GetProperty("id")} {d.GetProperty("line")}:{d.GetProperty("column")} {d.GetProperty("message")}"))}");
        }
    }

    [Fact]
    public void DryRun_ConditionOverItsBudget_IsRecordedAndFollowsConditionErrors()
    {
        // With the default budget a runaway condition stops (here at a million steps) and is a condition error:
        // recorded on the decision, and the policy matches or not as its conditionErrors says. Never a silent OK.
        const string runaway = "e.Type.SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).Count() > 0";
        _temp.Write("policies/p.yaml", $"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: {"{"} name: fails-closed {"}"}
            spec:
              match: {"{"} type: ["dataworks:FileChange:DeployFile"] {"}"}
              condition: '{runaway}'
              conditionErrors: match
              actions: [ {"{"} block: {"{"} reason: "in doubt, no" {"}"} {"}"} ]
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: {"{"} name: fails-open {"}"}
            spec:
              match: {"{"} type: ["dataworks:FileChange:DeployFile"] {"}"}
              condition: '{runaway}'
              actions: [ {"{"} warn: {"{"} reason: "x" {"}"} {"}"} ]
            """);

        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", "--policies", Path.Join(_temp.Root, "policies"), "--format", "json",
            RepositoryPaths.Combine("samples", "events", "FileChange-DeployFile.json"));

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var decision = System.Text.Json.JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["fails-closed"], decision.GetProperty("matched").EnumerateArray().Select(m => m.GetProperty("policy").GetString()!));
        var errors = decision.GetProperty("conditionErrors").EnumerateArray().ToDictionary(e => e.GetProperty("policy").GetString()!);
        Assert.True(errors["fails-closed"].GetProperty("treatedAsMatch").GetBoolean());
        Assert.False(errors["fails-open"].GetProperty("treatedAsMatch").GetBoolean());
        // The step budget stops it first on an idle machine; on a loaded one the 1 s time budget may come first. Either is
        // the budget stopping a runaway, which is what this test is about.
        Assert.All(errors.Values, e => Assert.Matches(
            @"^ConditionBudgetExceededException: The condition (went over its budget of 1,000,000 steps|ran longer than its budget of 1,000 ms)",
            e.GetProperty("message").GetString()));
    }

    // Single quotes; double quotes with escapes, where each \" is two characters of the file and one of the expression
    // (the column drifted by one per escape).
    [Theory]
    [InlineData("""'e.Data.Strr("fileName") == "x"'""", 22)]
    [InlineData("""
        "e.Data.Str(\"fileName\") == \"x\" && e.Data.Strr(\"fileOwner\") == \"y\""
        """, 59)]
    public void Validate_ConditionCompileError_IsLocatedAtTheExpressionCharacterAsWritten(string condition, int column)
    {
        _temp.Write("policies/p.yaml", $$"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: typo }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: {{condition}}
              actions: [ { block: { reason: "x" } } ]
            """);

        var (exitCode, stdout, _) = CliRunner.Run("validate", Path.Join(_temp.Root, "policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"p.yaml:6:{column}: error OER2001: ", stdout);
    }
}
