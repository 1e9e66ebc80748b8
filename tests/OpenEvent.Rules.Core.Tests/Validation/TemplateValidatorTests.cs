using OpenEvent.Rules.Model;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class TemplateValidatorTests
{
    [Fact]
    public void Validate_MisspelledDataPlaceholder_WarningAtPlaceholder()
    {
        var policy = Policy("freeze", Types(Deploy), actions: [Block("Deploy of {{ data.fileNme }} is frozen", 15, 17)]);

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3033", DiagnosticSeverity.Warning, 15, 27,
            $"Policy 'freeze': placeholder '{{{{ data.fileNme }}}}' reads 'data.fileNme', which is not documented for {Deploy}");
        Assert.StartsWith("Did you mean 'data.fileName'? It would render empty.", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DocumentedPlaceholders_NoDiagnostics()
    {
        var message = "{{ data.fileName }} by {{ data.operator }} in {{ scope.workspace }} ({{ scope.region }}, {{ aliyunregionid }}) " +
            "id {{ id }} type {{ type }} at {{ time }}; {{ policy.name }} {{ policy.priority }} {{ policy.mode }} {{ data }}";

        Assert.Empty(Validate(Policy("p", Types(Deploy), actions: [Block(message), Warn(message), Notify("log", message)])));
    }

    [Fact]
    public void Validate_ArrayIndexSegments_SkippedWhenComparing() =>
        Assert.Empty(Validate(Policy("p", Types(StartDi), actions: [Notify("log", "first target {{ data.tableMapping.0.dstTable }}")])));

    [Fact]
    public void Validate_UnknownEnvelopePlaceholder_WarningWithDidYouMean()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types(Deploy), actions: [Notify("log", "region {{ aliyunregion }}", 16, 18)])));

        AssertDiagnostic(diagnostic, "OER3033", DiagnosticSeverity.Warning, 16, 25,
            "Policy 'p': placeholder '{{ aliyunregion }}' has an unknown root 'aliyunregion'");
        Assert.StartsWith("Did you mean 'aliyunregionid'?", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownRoot_Warning()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types(Deploy), actions: [Notify("log", "{{ event.fileName }}")])));

        Assert.Equal("Policy 'p': placeholder '{{ event.fileName }}' has an unknown root 'event'", diagnostic.Message);
    }

    [Fact]
    public void Validate_NestedEnvelopePlaceholder_Warning()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types(Deploy), actions: [Notify("log", "{{ type.name }}")])));

        Assert.Equal("Policy 'p': placeholder '{{ type.name }}' reads into 'type', which is a string", diagnostic.Message);
    }

    [Fact]
    public void Validate_UnknownScopeAndPolicyPlaceholders_WarningWithDidYouMean()
    {
        var diagnostics = Validate(Policy("p", Types(Deploy), actions: [Notify("log", "{{ scope.tenants }} {{ policy.nme }} {{ scope }}")]));

        Assert.Equal(3, diagnostics.Count);
        Assert.Equal("Policy 'p': placeholder '{{ scope.tenants }}' is not a scope value", diagnostics[0].Message);
        Assert.StartsWith("Did you mean 'scope.tenant'?", diagnostics[0].Hint, StringComparison.Ordinal);
        Assert.Equal("Policy 'p': placeholder '{{ policy.nme }}' is not a policy attribute", diagnostics[1].Message);
        Assert.StartsWith("Did you mean 'policy.name'?", diagnostics[1].Hint, StringComparison.Ordinal);
        Assert.Equal("Policy 'p': placeholder '{{ scope }}' is not a scope value", diagnostics[2].Message);
    }

    [Fact]
    public void Validate_ScopeOperatorOnInstanceStatus_WarningAlwaysEmpty()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types(InstanceStatus), actions: [Notify("log", "by {{ scope.operator }}", 16, 18)])));

        AssertDiagnostic(diagnostic, "OER3033", DiagnosticSeverity.Warning, 16, 21,
            $"Policy 'p': placeholder '{{{{ scope.operator }}}}' is always empty: {InstanceStatus} carries no operator");
    }

    [Fact]
    public void Validate_DataPlaceholderOnUnconstrainedPolicy_OnlyWhenNoTypeDocumentsIt()
    {
        Assert.Empty(Validate(Policy("p", Pattern(Leaf("source", Exact("acs.dataworks"))), actions: [Notify("log", "{{ data.tableName }}")])));
        Assert.Equal("OER3033", Assert.Single(Validate(Policy("p", Pattern(Leaf("source", Exact("acs.dataworks"))), actions: [Notify("log", "{{ data.tablename }}")]))).Id);
    }

    [Fact]
    public void Validate_ForwardHasNoTemplate_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(Deploy), actions: [Forward("log")])));
}
