using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Core.Tests.Sources;
using OpenEvent.Rules.Evaluation;

namespace OpenEvent.Rules.Core.Tests.Conformance;

/// <summary>
/// A policy written with the registry (selectors, names, sets in patterns, scopes and conditions, named windows) decides
/// exactly as the same policy with everything inlined: over samples/, and over random events around the estate, with the
/// compiled matcher and the reference matcher alike. Both sets carry the same registry, which completes the events.
/// </summary>
public sealed class RegistryDifferentialTests
{
    private const string WithRegistry = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: sensitive-prod-deletes }
        spec:
          match: { type: ["dataworks:FileChange:DeleteFile"] }
          scope: { workspaces: [{ labels: [sensitive], environment: PROD }] }
          exclude: [ { scope: { operators: [{ set: platform-admins }] } } ]
          actions: [ { block: { reason: "{{ scope.workspaceName }} {{ data.fileName }}" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: scratch-deploys }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { projectId: [{ set: core-workspaces }], fileName: [{ prefix: { set: scratch-prefixes } }] }
          actions: [ { block: { reason: "scratch" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: off-network }
        spec:
          match: { type: ["dataworks:ResourcesDownload:DownloadResourcesExecute"], data: { ip: [{ exists: true }] } }
          exclude: [ { match: { data: { ip: [{ cidr: { set: office-networks } }] } } } ]
          actions: [ { block: { reason: "network" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: acme-finance-downloads }
        spec:
          match: { type: [{ prefix: "dataworks:ResourcesDownload:" }] }
          scope: { tenants: [acme], workspaces: [finance_prod, { labels: [core], environment: DEV }] }
          actions: [ { warn: { reason: "finance" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: freezes }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          scope: { windows: [weekend, year-end] }
          actions: [ { block: { reason: "frozen" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: admins-delete-projects }
        spec:
          match: { type: ["dataworks:ProjectChange:DeleteProject"] }
          condition: '!e.InSet("platform-admins", e.Scope.Operator) && e.Scope.HasLabel("core")'
          actions: [ { block: { reason: "admins only" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: odd-uploads }
        spec:
          match: { type: ["dataworks:ResourcesUpload:UploadDataToTable"], data: { uploadSourceType: [{ anything-but: { set: local-sources } }] } }
          scope: { environments: [PROD], operators: [{ set: platform-admins }, "149318960370001"] }
          actions: [ { warn: { reason: "upload" } } ]
        """;

    private const string Inlined = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: sensitive-prod-deletes }
        spec:
          match: { type: ["dataworks:FileChange:DeleteFile"] }
          scope: { workspaces: [10001234, 10001235] }
          exclude: [ { scope: { operators: ["200000000001", "200000000002"] } } ]
          actions: [ { block: { reason: "{{ scope.workspaceName }} {{ data.fileName }}" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: scratch-deploys }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { projectId: [10001234, 10001235], fileName: [{ prefix: tmp_ }, { prefix: test_ }] }
          actions: [ { block: { reason: "scratch" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: off-network }
        spec:
          match: { type: ["dataworks:ResourcesDownload:DownloadResourcesExecute"], data: { ip: [{ exists: true }] } }
          exclude: [ { match: { data: { ip: [{ cidr: "10.0.0.0/8" }, { cidr: "192.168.0.0/16" }] } } } ]
          actions: [ { block: { reason: "network" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: acme-finance-downloads }
        spec:
          match: { type: [{ prefix: "dataworks:ResourcesDownload:" }] }
          scope: { tenants: ["283780000010656"], workspaces: [10001235, 10001236] }
          actions: [ { warn: { reason: "finance" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: freezes }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          scope:
            windows:
              - { timeZone: Asia/Shanghai, weekly: { from: "Fri 18:00", to: "Mon 08:00" } }
              - { timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }
          actions: [ { block: { reason: "frozen" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: admins-delete-projects }
        spec:
          match: { type: ["dataworks:ProjectChange:DeleteProject"] }
          condition: '!(e.Scope.Operator == "200000000001" || e.Scope.Operator == "200000000002") && (e.Scope.Workspace == "10001234" || e.Scope.Workspace == "10001236")'
          actions: [ { block: { reason: "admins only" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: odd-uploads }
        spec:
          match: { type: ["dataworks:ResourcesUpload:UploadDataToTable"], data: { uploadSourceType: [{ anything-but: [LOCAL, DW_EXCEL] }] } }
          scope: { environments: [PROD], operators: ["200000000001", "200000000002", "149318960370001"] }
          actions: [ { warn: { reason: "upload" } } ]
        """;

    private static readonly string[] s_workspaces = ["10001234", "10001235", "10001236", "293624", "777", "3100002"];
    private static readonly string[] s_operators = ["200000000001", "200000000002", "149318960370001", "200012345678901", "42"];
    private static readonly string[] s_accounts = ["1234567890123456", "2222222222222222", "5678901234567890"];
    private static readonly string[] s_ips = ["10.1.2.3", "192.168.9.9", "198.51.100.7", "172.16.0.1"];
    private static readonly string[] s_names = ["tmp_orders", "test_x", "dws_orders", "TMP_upper"];
    private static readonly string[] s_sources = ["LOCAL", "DW_EXCEL", "HTTP", "OSS"];

    [Fact]
    public async Task Decide_SamplesAndRandomEvents_RegistryFormEqualsInlinedForm()
    {
        using var withTemp = new TempFolder();
        using var inlineTemp = new TempFolder();
        var withRegistry = await RegistryYaml.LoadValidAsync(withTemp, RegistryYaml.Estate, RegistryYaml.LabelUser, WithRegistry);
        var inlined = await RegistryYaml.LoadValidAsync(inlineTemp, RegistryYaml.Estate, RegistryYaml.LabelUser, Inlined);
        var events = SampleEvents().Concat(RandomEvents(new Random(13), 600)).ToList();
        var fired = new HashSet<string>(StringComparer.Ordinal);

        foreach (var reference in new[] { false, true })
        {
            using var a = RegistryYaml.Compile(withRegistry.Set, reference);
            using var b = RegistryYaml.Compile(inlined.Set, reference);
            foreach (var (name, bytes) in events)
            {
                var left = Describe(a.EvaluateInput(bytes, name));
                var right = Describe(b.EvaluateInput(bytes, name));
                Assert.True(left == right, $"{name} ({(reference ? "reference" : "compiled")}):\n registry: {left}\n inlined:  {right}\n{Encoding.UTF8.GetString(bytes)}");
                fired.UnionWith(a.EvaluateInput(bytes, name).SelectMany(d => d.Matched.Select(m => m.Policy)));
            }
        }

        // Each policy fired on some event and some policy did not, or the comparison would prove little.
        Assert.Equal(8, fired.Count);
    }

    private static string Describe(IEnumerable<Decision> decisions) =>
        string.Join(" | ", decisions.Select(d => $"{d.Verdict}: " + string.Join(", ", d.Matched.Concat(d.Audit).Select(m => m.Policy + "[" + string.Join(";", m.Actions) + "]"))
            + string.Join(", ", d.ConditionFailures.Select(f => f.Message)) + d.Error?.Id));

    private static readonly string[] s_sampleFolders = ["events", "corpus"];

    private static readonly string[] s_templates = ["FileChange-DeleteFile", "FileChange-DeployFile", "ResourcesDownload-DownloadResources",
        "ResourcesDownload-DownloadResourcesExecute", "ProjectChange-DeleteProject", "ResourcesUpload-UploadDataToTable", "fc-envelope-download"];

    private static readonly string[] s_workspaceKeys = ["projectId", "appId"];

    private static IEnumerable<(string Name, byte[] Bytes)> SampleEvents() =>
        s_sampleFolders
            .SelectMany(folder => Directory.EnumerateFiles(RepositoryPaths.Combine("samples", folder), "*.json").Order(StringComparer.Ordinal))
            .Select(path => (Path.GetFileName(path), File.ReadAllBytes(path)));

    /// <summary>Sample events with their workspace, operator, account, tenant, ip, file name, source and time drawn around the estate.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> RandomEvents(Random random, int count)
    {
        var templates = s_templates
            .Select(name => File.ReadAllText(RepositoryPaths.Combine("samples", "events", name + ".json")))
            .ToArray();
        T Pick<T>(T[] items) => items[random.Next(items.Length)];
        for (var i = 0; i < count; i++)
        {
            var root = JsonNode.Parse(Pick(templates))!.AsObject();
            var fc = root.ContainsKey("messageId");
            var data = (fc ? root["messageBody"] : root["data"])!.AsObject();
            var workspace = Pick(s_workspaces);
            foreach (var key in s_workspaceKeys)
            {
                if (data.ContainsKey(key))
                {
                    data[key] = long.Parse(workspace, CultureInfo.InvariantCulture);
                }
            }

            if (data.ContainsKey("queryDwProjectId"))
            {
                data["queryDwProjectId"] = workspace;
            }

            data[data.ContainsKey("operatorUid") ? "operatorUid" : "operator"] = Pick(s_operators);
            if (random.Next(3) == 0)
            {
                data.Remove("tenantId");
            }

            data["ip"] = Pick(s_ips);
            data["fileName"] = Pick(s_names);
            data["uploadSourceType"] = Pick(s_sources);
            if (!fc)
            {
                root["aliyunaccountid"] = Pick(s_accounts);

                // Times over the year, in Shanghai or UTC, and now and then none.
                var instant = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(60 * 24 * 400));
                root["time"] = random.Next(10) == 0 ? null : random.Next(2) == 0
                    ? instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                    : instant.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            }

            yield return ($"random-{i}", Encoding.UTF8.GetBytes(root.ToJsonString()));
        }
    }
}
