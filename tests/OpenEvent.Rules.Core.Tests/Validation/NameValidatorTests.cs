using OpenEvent.Rules.Model;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class NameValidatorTests
{
    [Fact]
    public void Validate_DuplicatePolicyName_ErrorAtSecondNamingFirst()
    {
        var first = Policy("deploy-freeze", Types(Deploy), line: 4, column: 9, file: "policies/a.yaml");
        var second = Policy("deploy-freeze", Types(Deploy), line: 7, column: 11, file: "policies/b.yaml");

        var diagnostic = Assert.Single(Validate(first, second));

        Assert.Equal(DiagnosticIds.DuplicateName, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(new SourceLocation("policies/b.yaml", 7, 11), diagnostic.Location);
        Assert.Equal("Policy 'deploy-freeze' is already defined at policies/a.yaml:4", diagnostic.Message);
        Assert.Equal("Give each policy a unique metadata.name, or delete one of the two definitions.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_PolicyNamesDifferingInCase_AreDuplicates()
    {
        var diagnostic = Assert.Single(Validate(Policy("Deploy-Freeze", Types(Deploy), line: 3), Policy("deploy-freeze", Types(Deploy), line: 20)));

        AssertDiagnostic(diagnostic, "OER3001", DiagnosticSeverity.Error, 20, 9, $"Policy 'deploy-freeze' is already defined at {TestFile}:3");
    }

    [Fact]
    public void Validate_ThreeOccurrences_TwoErrorsBothNamingTheFirst()
    {
        var diagnostics = Validate(Policy("p", Types(Deploy), line: 3), Policy("p", Types(Deploy), line: 13), Policy("p", Types(Deploy), line: 23));

        Assert.Equal([13, 23], diagnostics.Select(d => d.Location.Line));
        Assert.All(diagnostics, d => Assert.Equal($"Policy 'p' is already defined at {TestFile}:3", d.Message));
    }

    [Fact]
    public void Validate_DuplicateChannelAndTarget_ErrorsPerKind()
    {
        var set = new PolicySetDefinition([], [Channel("ops", line: 3), Channel("ops", line: 12)], [Target("audit", line: 5), Target("audit", line: 15)]);

        var diagnostics = Validate(set);

        Assert.Equal(2, diagnostics.Count);
        AssertDiagnostic(diagnostics[0], "OER3001", DiagnosticSeverity.Error, 12, 9, $"Channel 'ops' is already defined at {TestFile}:3");
        AssertDiagnostic(diagnostics[1], "OER3001", DiagnosticSeverity.Error, 15, 9, $"Target 'audit' is already defined at {TestFile}:5");
    }

    [Fact]
    public void Validate_SameNameForPolicyChannelAndTarget_IsFine()
    {
        var set = new PolicySetDefinition([Policy("ops", Types(Deploy))], [Channel("ops")], [Target("ops")]);

        Assert.Empty(Validate(set));
    }

    [Fact]
    public void Validate_ChannelOrTargetNamedLog_ErrorBuiltIn()
    {
        var set = new PolicySetDefinition([], [Channel("log", line: 4)], [Target("LOG", line: 8)]);

        var diagnostics = Validate(set);

        Assert.Equal(2, diagnostics.Count);
        AssertDiagnostic(diagnostics[0], "OER3001", DiagnosticSeverity.Error, 4, 9, "Channel 'log' uses the name of the built-in channel 'log'");
        AssertDiagnostic(diagnostics[1], "OER3001", DiagnosticSeverity.Error, 8, 9, "Target 'LOG' uses the name of the built-in target 'log'");
        Assert.Equal("Rename the channel; 'log' (the decision log) needs no declaration.", diagnostics[0].Hint);
    }

    [Fact]
    public void Validate_UniqueNames_NoDiagnostics()
    {
        var set = new PolicySetDefinition(
            [Policy("a", Types(Deploy)), Policy("b", Types(Deploy))], [Channel("ops"), Channel("dev")], [Target("audit")]);

        Assert.Empty(Validate(set));
    }
}
