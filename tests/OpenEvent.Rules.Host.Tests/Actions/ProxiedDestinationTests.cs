using System.Text;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Tests.Shared;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// A host behind a proxy (HTTP_PROXY): the connect step sees only the proxy's address, so a policy's target at the
/// cloud's metadata service went out through the proxy. The request's own host is now checked before the proxy is
/// asked; other destinations still go through it. The host runs in its own process, the proxy variable in its
/// environment only.
/// </summary>
public sealed class ProxiedDestinationTests
{
    [Fact]
    public async Task HostBehindAProxy_MetadataTargetsDeadLetteredWithoutReachingTheProxy_OthersGoThroughIt()
    {
        using var folder = new TempFolder();
        await using var proxy = await StandInServer.StartAsync();
        Directory.CreateDirectory(folder.Path("policies"));
        File.WriteAllText(folder.Path("policies", "forward.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: forward-instances }
            spec:
              match:
                type: ["dataworks:InstanceStatusChanges:InstanceStatusChanges"]
              actions:
                - forward: { target: aws-metadata }
                - forward: { target: alibaba-metadata }
                - forward: { target: outside }
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: aws-metadata }
            spec: { type: http, url: "http://169.254.169.254/latest/meta-data/iam/security-credentials/" }
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: alibaba-metadata }
            spec: { type: http, url: "http://100.100.100.200/latest/meta-data/ram/security-credentials/" }
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: outside }
            spec: { type: http, url: "http://sink.example.invalid/events" }
            """);
        var outbox = folder.Path("outbox.db");
        using var host = await HostProcess.StartAsync(folder.Path("policies"),
            ["--OpenEventRules:DecisionLog:Path", folder.Path("decisions.jsonl"), "--OpenEventRules:Outbox:Path", outbox, .. FastOutbox],
            new Dictionary<string, string> { ["HTTP_PROXY"] = proxy.BaseAddress.ToString().TrimEnd('/'), ["NO_PROXY"] = "" });

        using var content = new StringContent(Sample("InstanceStatusChanges-InstanceStatusChanges.json", NewId("proxied")), Encoding.UTF8, "application/cloudevents+json");
        (await host.Client.PostAsync("/events", content)).EnsureSuccessStatusCode();

        var store = new OutboxStore(outbox);
        await WaitUntilAsync(() => store.Counts().Dead == 2 && proxy.Delivered.Any(), "two dead letters and one forward through the proxy");
        Assert.Equal(["/events"], proxy.Requests.Select(r => r.Path));
        Assert.Equal(
            ["100.100.100.200 is 100.100.100.200: actions are never sent to link-local or cloud metadata addresses",
             "169.254.169.254 is 169.254.169.254: actions are never sent to link-local or cloud metadata addresses"],
            store.List(OutboxStore.Dead, 10).Select(d => d.LastError!).Order(StringComparer.Ordinal));
    }
}
