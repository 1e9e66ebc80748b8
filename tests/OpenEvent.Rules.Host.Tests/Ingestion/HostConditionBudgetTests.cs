using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Ingestion;

/// <summary>The real host with conditions that try to exhaust it: each is a condition error on the decision, the host answers and stays up.</summary>
public sealed class HostConditionBudgetTests
{
    private const string Policies = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: stack-overflow }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          condition: 'e.Type.SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).Aggregate(e.Type.Skip(0), (acc, c) => acc.Reverse()).Count() > 0'
          conditionErrors: match
          actions: [ { block: { reason: "in doubt, no" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: eight-gigabytes }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          condition: 'string.Concat(e.Type.SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type)).Length > 0'
          actions: [ { warn: { reason: "x" } } ]
        """;

    [Fact]
    public async Task PostEvaluate_RunawayConditions_AreConditionErrorsAndTheHostStaysUp()
    {
        var folder = Directory.CreateTempSubdirectory("oer-runaway-").FullName;
        File.WriteAllText(Path.Combine(folder, "runaway.yaml"), Policies);
        await using var host = await RunningHost.StartAsync(folder, "--OpenEventRules:Conditions:MaxSteps", "100000");

        for (var i = 0; i < 2; i++)
        {
            using var response = await host.PostAsync("/evaluate", HostEndpointTests.DeployEvent($"runaway-{i}", "dws_orders"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var decision = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("FAIL", decision.GetProperty("verdict").GetString());
            Assert.Equal(["stack-overflow"], decision.GetProperty("matched").EnumerateArray().Select(m => m.GetProperty("policy").GetString()!));
            var errors = decision.GetProperty("conditionErrors").EnumerateArray().ToDictionary(e => e.GetProperty("policy").GetString()!, e => e.GetProperty("message").GetString()!);
            Assert.Equal(["eight-gigabytes", "stack-overflow"], errors.Keys.Order());
            Assert.All(errors.Values, message => Assert.StartsWith("ConditionBudgetExceededException: The condition ", message, StringComparison.Ordinal));
            Assert.Contains("budget of 100,000 steps", errors["eight-gigabytes"], StringComparison.Ordinal);
        }

        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Start_BadConditionLimits_FailsNamingTheSettings()
    {
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
            "--OpenEventRules:Conditions:MaxSteps", "10", "--OpenEventRules:Conditions:Timeout", "00:00:00",
            "--OpenEventRules:Conditions:MaxBytes", "1000", "--OpenEventRules:Conditions:CompileTimeout", "-00:00:01"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("OpenEventRules:Conditions:MaxSteps is 10: it must be between 1000 and 1000000000000.", error.Failures);
        Assert.Contains("OpenEventRules:Conditions:MaxBytes is 1000: it must be between 1048576 and 68719476736.", error.Failures);
        Assert.Contains("OpenEventRules:Conditions:Timeout is 00:00:00: it must be positive (e.g. 00:00:30).", error.Failures);
        Assert.Contains("OpenEventRules:Conditions:CompileTimeout is -00:00:01: it must be positive (e.g. 00:00:30).", error.Failures);
        await app.DisposeAsync();
    }
}
