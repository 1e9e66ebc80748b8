using OpenEvent.Rules.Model;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class ActionValidatorTests
{
    // OER3030

    [Fact]
    public void Validate_BlockOnRegularOnlyPolicy_Error()
    {
        var policy = Policy("failures", Types(InstanceStatus), actions: [Block("no", 14, 9)]);

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3030", DiagnosticSeverity.Error, 14, 9,
            $"Policy 'failures': block has no effect: the policy matches only regular events ({InstanceStatus}), which DataWorks does not hold for an answer");
        Assert.Equal("Use notify or forward for regular events, or match the extension point type of the operation (e.g. dataworks:FileChange:DeployFile) to stop it before it happens.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_WarnOnSeveralRegularTypes_Error()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types(InstanceStatus, NodeDeleted), actions: [Notify(), Warn("w", 15, 9)])));

        Assert.Equal("OER3030", diagnostic.Id);
        Assert.Equal(L(15, 9), diagnostic.Location);
        Assert.StartsWith("Policy 'p': warn has no effect", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BlockOnExtensionPoint_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(Deploy), actions: [Block(), Warn()])));

    [Fact]
    public void Validate_BlockOnCommitFileAlsoRegular_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(Commit), actions: [Block()])));

    [Fact]
    public void Validate_BlockOnMixOfRegularAndExtension_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(InstanceStatus, Deploy), actions: [Block()])));

    [Fact]
    public void Validate_BlockOnUnconstrainedPolicy_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Pattern(Data(Leaf("tenantId", Number("1"), Exact("1")))), actions: [Block()])));

    [Fact]
    public void Validate_BlockWithUnknownTypeBesideRegular_Skipped() =>
        Assert.Equal(["OER3020"], Validate(Policy("p", Types(InstanceStatus, "dataworks:Future:PreThing"), actions: [Block()])).Select(d => d.Id));

    [Fact]
    public void Validate_NotifyAndForwardOnRegular_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(InstanceStatus), actions: [Notify(), Forward("log")])));

    // OER3031 / OER3032

    [Fact]
    public void Validate_UndeclaredChannel_ErrorWithDidYouMean()
    {
        var set = new PolicySetDefinition([Policy("p", Types(Deploy), actions: [Notify("ops-dingtalk", line: 16, column: 9)])], [Channel("ops-dingtalk-robot"), Channel("ops-dingtalks")], []);

        var diagnostic = Assert.Single(Validate(set));

        AssertDiagnostic(diagnostic, "OER3031", DiagnosticSeverity.Error, 16, 9,
            "Policy 'p': notify uses channel 'ops-dingtalk', which is not declared");
        Assert.Equal("Did you mean 'ops-dingtalks'? Declare it in a 'kind: Channel' document with metadata.name: ops-dingtalk, or use the built-in channel 'log'.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_UndeclaredTarget_Error()
    {
        var set = new PolicySetDefinition([Policy("p", Types(Deploy), actions: [Forward("archive", 17, 9)])], [], [Target("audit")]);

        var diagnostic = Assert.Single(Validate(set));

        AssertDiagnostic(diagnostic, "OER3032", DiagnosticSeverity.Error, 17, 9,
            "Policy 'p': forward uses target 'archive', which is not declared");
        Assert.Equal("Declare it in a 'kind: Target' document with metadata.name: archive, or use the built-in target 'log'.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_DeclaredAndBuiltInChannelsAndTargets_NoDiagnostics()
    {
        var set = new PolicySetDefinition(
            [Policy("p", Types(Deploy), actions: [Notify("log"), Notify("ops"), Forward("log"), Forward("audit")])],
            [Channel("ops")], [Target("audit")]);

        Assert.Empty(Validate(set));
    }

    [Fact]
    public void Validate_ChannelNameUsedAsTarget_Error()
    {
        var set = new PolicySetDefinition([Policy("p", Types(Deploy), actions: [Forward("ops")])], [Channel("ops")], []);

        Assert.Equal("OER3032", Assert.Single(Validate(set)).Id);
    }
}
