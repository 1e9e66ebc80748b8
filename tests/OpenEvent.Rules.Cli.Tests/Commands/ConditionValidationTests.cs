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
    public void Validate_ConditionCompileError_IsLocatedAtTheExpressionCharacter()
    {
        _temp.Write("policies/p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: typo }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: 'e.Data.Strr("fileName") == "x"'
              actions: [ { block: { reason: "x" } } ]
            """);

        var (exitCode, stdout, _) = CliRunner.Run("validate", Path.Join(_temp.Root, "policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("p.yaml:6:22: error OER2001: ", stdout);
    }
}
