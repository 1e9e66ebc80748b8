using System.Text;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Core.Tests.Sources;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Core.Tests.Events;

/// <summary>
/// Every resolution path on every event type of the catalog (its sample in samples/events, plus the Function Compute
/// envelope): the workspace from projectId / appId / queryDwProjectId, the tenant from tenantId, else the workspace,
/// else the account, the environment and region from the event, else the workspace; with the single pass and with the
/// parsed document alike.
/// </summary>
public sealed class RegistryResolutionTests
{
    private const string RegisteredTenant = "283780000099999";
    private const string Account = "9999999999999999";

    public static TheoryData<string, bool> Samples()
    {
        var data = new TheoryData<string, bool>();
        foreach (var path in Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*.json").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(path) != "batch.json")
            {
                data.Add(Path.GetFileName(path), false);
                data.Add(Path.GetFileName(path), true);
            }
        }

        return data;
    }

    [Fact]
    public void Samples_CoverEveryCatalogType() =>
        Assert.Equal(EventCatalog.Default.EventTypes.Length + 1, Samples().Count / 2);

    private static byte[] Sample(string file) => File.ReadAllBytes(RepositoryPaths.Combine("samples", "events", file));

    /// <summary>The event's scope as the engine resolves it with <paramref name="registry"/> (null: no registry).</summary>
    private static async Task<EventScope> ScopeAsync(byte[] bytes, string? registry, bool reference)
    {
        using var temp = new TempFolder();
        var documents = registry is null ? new[] { Policy } : [registry, Policy];
        var result = await RegistryYaml.LoadValidAsync(temp, documents);
        using var set = RegistryYaml.Compile(result.Set, reference);
        var decision = set.EvaluateInput(bytes, "event.json").Single();
        Assert.Null(decision.Error);
        return decision.Scope!;
    }

    // A policy whose scope has a window, so that the event's time is read too.
    private const string Policy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: any }
        spec:
          match: { source: [acs.dataworks] }
          scope: { windows: [{ timeZone: UTC, from: 2000-01-01, to: 2099-12-31 }] }
          actions: [ { forward: { target: log } } ]
        """;

    private static string Registry(string workspace, string? tenant, string? environment) => $$"""
        apiVersion: openevent.rules/v1
        kind: Registry
        metadata: { name: estate }
        spec:
          tenants: [ { id: {{RegisteredTenant}}, name: registered, accounts: ["{{Account}}"] } ]
          workspaces: [ { id: "{{workspace}}", name: registered_ws, region: reg-region{{(tenant is null ? "" : ", tenant: " + tenant)}}{{(environment is null ? "" : ", environment: " + environment)}}, labels: [l1], owners: ["7"] } ]
        """;

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Resolve_RegisteredWorkspace_EventValuesFirstThenTheWorkspace(string file, bool reference)
    {
        var own = await ScopeAsync(Sample(file), null, reference);
        Assert.False(own.HasRegistryFacts);
        if (own.Workspace is null)
        {
            return; // an event type without a workspace: nothing to register (the account path below still applies)
        }

        // The registry says the opposite environment, so that it is visible which one wins.
        var registered = own.Environment == "PROD" ? "DEV" : "PROD";
        var scope = await ScopeAsync(Sample(file), Registry(own.Workspace, "registered", registered), reference);

        Assert.Equal(own.Workspace, scope.Workspace);
        Assert.Equal("registered_ws", scope.WorkspaceName);
        Assert.Equal(["l1"], scope.Labels.ToArray());
        Assert.Equal(["7"], scope.Owners.ToArray());
        Assert.Equal(own.Tenant ?? RegisteredTenant, scope.Tenant);
        Assert.Equal(own.Tenant is null ? FactOrigin.Workspace : FactOrigin.Event, scope.TenantOrigin);
        Assert.Equal(own.Tenant is null ? "registered" : null, scope.TenantName);
        Assert.Equal(own.Environment ?? registered, scope.Environment);
        Assert.Equal(own.Environment is null ? FactOrigin.Workspace : FactOrigin.Event, scope.EnvironmentOrigin);
        Assert.Equal(own.Region ?? "reg-region", scope.Region);
        Assert.Equal(own.Region is null ? FactOrigin.Workspace : FactOrigin.Event, scope.RegionOrigin);
        Assert.Equal(own.Operator, scope.Operator);
        Assert.Equal(own.Time, scope.Time);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Resolve_UnregisteredWorkspace_TenantFromTheAccount(string file, bool reference)
    {
        var node = JsonNode.Parse(Sample(file))!.AsObject();
        if (node.ContainsKey("messageId"))
        {
            return; // the Function Compute envelope carries no account: its tenant comes from its workspace (above)
        }

        node["aliyunaccountid"] = Account;
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        var own = await ScopeAsync(bytes, null, reference);

        var scope = await ScopeAsync(bytes, Registry("1", tenant: null, environment: null), reference);

        Assert.Equal(own.Tenant ?? RegisteredTenant, scope.Tenant);
        Assert.Equal(own.Tenant is null ? FactOrigin.Account : FactOrigin.Event, scope.TenantOrigin);
        Assert.Equal(own.Tenant is null ? "registered" : null, scope.TenantName);
        Assert.Equal(own.Environment, scope.Environment);
        Assert.Null(scope.WorkspaceName);
    }

    [Fact]
    public async Task Resolve_FunctionComputeEnvelope_TenantRegionAndEnvironmentFromTheWorkspaceAndNoTime()
    {
        var scope = await ScopeAsync(Sample("fc-envelope-download.json"), Registry("10001234", RegisteredTenant, "PROD"), reference: false);

        Assert.Equal(("10001234", RegisteredTenant, "reg-region", "PROD"), (scope.Workspace, scope.Tenant, scope.Region, scope.Environment));
        Assert.Null(scope.Time);
    }

    [Fact]
    public async Task Resolve_TenantIdTheRegistryDoesNotDeclare_TakenFromTheWorkspaceAsWritten()
    {
        var scope = await ScopeAsync(Sample("ResourcesDownload-DownloadResources.json"), Registry("10001234", "283780000077777", null), reference: false);

        Assert.Equal(("283780000077777", FactOrigin.Workspace), (scope.Tenant, scope.TenantOrigin));
        Assert.Null(scope.TenantName);
    }

    [Fact]
    public async Task Decision_FromRegistry_InTheDryRunJson()
    {
        using var temp = new TempFolder();
        var result = await RegistryYaml.LoadValidAsync(temp, Registry("10001234", "registered", "PROD"), Policy);
        using var set = RegistryYaml.Compile(result.Set);

        var json = OpenEvent.Rules.Evaluation.DecisionJson.Serialize(set.EvaluateInput(Sample("ResourcesDownload-DownloadResources.json"), "d.json").Single());

        Assert.Contains("\"scope\":{\"tenant\":\"283780000099999\",\"tenantName\":\"registered\",\"workspace\":\"10001234\",\"workspaceName\":\"registered_ws\","
            + "\"region\":\"cn-hangzhou\",\"environment\":\"PROD\",\"operator\":\"149318960370001\",\"labels\":[\"l1\"],\"owners\":[\"7\"],"
            + "\"fromRegistry\":{\"tenant\":\"workspace\",\"environment\":\"workspace\"}}", json, StringComparison.Ordinal);
    }
}
