using System.Net;
using System.Text.Json;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>
/// The registry in the running host: the shipped library (with policies/registry.yaml) starts and decides with it, and the
/// registry is part of the reloaded snapshot: a change to it is picked up like a policy change, a broken one keeps the
/// last good set and is reported with its location.
/// </summary>
[Collection(HostMetricsCollection.Name)]
public sealed class HostRegistryTests
{
    private static string DeleteBy(string id, string @operator) =>
        File.ReadAllText(RepositoryPaths.Combine("samples", "events", "FileChange-DeleteFile.json"))
            .Replace("\"id\": \"4975b6f0-b58d-5811-8254-83ef89e7ac7b\"", $"\"id\": \"{id}\"", StringComparison.Ordinal)
            .Replace("\"operator\": \"200012345678901\"", $"\"operator\": \"{@operator}\"", StringComparison.Ordinal);

    private static async Task<JsonElement> EvaluateAsync(RunningHost host, string body)
    {
        using var response = await host.PostAsync("/evaluate", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Library_StartsWithItsRegistry_AndReloadsTheRegistryWithThePolicies()
    {
        await using var host = await RunningHost.StartAsync(RepositoryPaths.Combine("policies"));

        // The file event carries no environment nor workspace name: the registry gives both.
        var decision = await EvaluateAsync(host, DeleteBy("reg-1", "200000000009"));
        Assert.Equal("FAIL", decision.GetProperty("verdict").GetString());
        Assert.Equal("no-delete-prod-files", decision.GetProperty("matched")[0].GetProperty("policy").GetString());
        Assert.Equal("tmp_orders_check belongs to the production workspace sales_dw: only the platform administrators may delete it.",
            decision.GetProperty("matched")[0].GetProperty("actions")[0].GetProperty("reason").GetString());
        Assert.Equal(("sales_dw", "PROD", "workspace"), (decision.GetProperty("scope").GetProperty("workspaceName").GetString(),
            decision.GetProperty("scope").GetProperty("environment").GetString(), decision.GetProperty("scope").GetProperty("fromRegistry").GetProperty("environment").GetString()));

        // A new administrator is added to the registry's set only: the next load lets them through.
        var registry = Path.Combine(host.PoliciesPath, "registry.yaml");
        var before = host.State.Current!.Revision;
        File.WriteAllText(registry, File.ReadAllText(registry).Replace("values: [\"200000000001\", \"200000000002\"]", "values: [\"200000000001\", \"200000000002\", \"200000000009\"]", StringComparison.Ordinal));
        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.State.Current!.Revision != before), "the registry change to load");
        Assert.Equal("OK", (await EvaluateAsync(host, DeleteBy("reg-2", "200000000009"))).GetProperty("verdict").GetString());

        // A registry that breaks a policy's reference: the last good set keeps serving, the error is reported where it is.
        var good = host.State.Current!.Revision;
        File.WriteAllText(registry, File.ReadAllText(registry).Replace("platform-admins:", "platform-admin:", StringComparison.Ordinal));
        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.State.LastFailure is not null), "the broken registry to be refused");
        var body = JsonDocument.Parse(await host.Client.GetStringAsync("/policies")).RootElement;
        Assert.Equal(good, body.GetProperty("revision").GetString());
        var error = body.GetProperty("lastReloadError").GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("severity").GetString() == "error");
        Assert.Equal("OER3050", error.GetProperty("id").GetString());
        Assert.EndsWith("no-delete-prod-files.yaml", error.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal("OK", (await EvaluateAsync(host, DeleteBy("reg-3", "200000000009"))).GetProperty("verdict").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);
    }
}
