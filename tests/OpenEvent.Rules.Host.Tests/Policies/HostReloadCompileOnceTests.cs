using Microsoft.Extensions.DependencyInjection;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>
/// Issue 17: each load of the host compiles the C# conditions once (the loader no longer compiles them to check
/// them), whether the load succeeds or is refused; a refused load still names the condition's error where it is.
/// </summary>
public sealed class HostReloadCompileOnceTests : IDisposable
{
    private const string Policy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: NAME }
        spec:
          match: { type: ["dataworks:FileChange:RunFile"] }
          condition: CONDITION
          actions: [ { warn: { reason: x } } ]
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string PolicyText(string name, string condition) => Policy.Replace("NAME", name).Replace("CONDITION", condition);

    [Fact]
    public async Task Reload_ValidThenInvalidThenValid_OneCompilePerLoad()
    {
        _temp.Write("start/a.yaml", PolicyText("a", "e.Type.Length > 0"));
        _temp.Write("start/b.yaml", PolicyText("b", "e.Type.Length > 1"));
        var counting = new CountingConditionCompiler(new RoslynConditionCompiler());

        // Watching is off: every load below is one this test asks for.
        await using var host = await RunningHost.StartConfiguredAsync(
            builder => builder.Services.AddSingleton<IConditionCompiler>(counting), _temp.Path("start"), "--OpenEventRules:Reload:Watch", "false");
        Assert.True(host.State.IsReady);
        Assert.Equal(1, counting.Calls);

        // Refused: a duplicate name (OER3001) and a condition that is not boolean; both reported from one compile.
        File.WriteAllText(Path.Combine(host.PoliciesPath, "b.yaml"), PolicyText("a", "e.Type.Length"));
        var reload = host.Services.GetRequiredService<OpenEvent.Rules.Host.Policies.PolicyReloadService>();
        Assert.False(await reload.ReloadAsync(initial: false, CancellationToken.None));
        Assert.Equal(2, counting.Calls);
        var errors = host.State.LastFailure!.Diagnostics.Where(d => d.IsError).ToList();
        Assert.Equal([DiagnosticIds.DuplicateName, DiagnosticIds.ConditionNotBoolean], errors.Select(d => d.Id));
        Assert.Equal(new SourceLocation(Path.Join(host.PoliciesPath, "b.yaml"), 6, 14), errors[1].Location);

        // Refused for the condition alone: the compile that builds the set reports it.
        File.WriteAllText(Path.Combine(host.PoliciesPath, "b.yaml"), PolicyText("b", "e.Type.Length"));
        Assert.False(await reload.ReloadAsync(initial: false, CancellationToken.None));
        Assert.Equal(3, counting.Calls);
        var error = Assert.Single(host.State.LastFailure!.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.ConditionNotBoolean, error.Id);
        Assert.Equal(new SourceLocation(Path.Join(host.PoliciesPath, "b.yaml"), 6, 14), error.Location);

        File.WriteAllText(Path.Combine(host.PoliciesPath, "b.yaml"), PolicyText("b", "e.Type.Length > 2"));
        Assert.True(await reload.ReloadAsync(initial: false, CancellationToken.None));
        Assert.Equal(4, counting.Calls);
    }
}
