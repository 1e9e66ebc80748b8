using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// Whether the registry costs anything per event: 1,000 policies over 200 workspaces and 50 teams, written three ways
/// that decide identically (checked in the setup): with every id inlined and no registry (<c>Inlined</c>), inlined but
/// with the registry in the folder, so that every event is completed from it (<c>InlinedWithRegistry</c>), and with
/// selectors by label and named sets (<c>Registry</c>). Each operation is one event read from its bytes and evaluated
/// (the host's path: single pass, scope, exclusions, decision). Sets and selectors are expanded when the set is built,
/// so <c>Registry</c> should cost what <c>InlinedWithRegistry</c> costs.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 9, id: "Short9")]
[MedianColumn]
[MemoryDiagnoser]
public class RegistryBenchmarks
{
    private const int PolicyCount = 1_000;
    private const int Teams = 50;
    private const int WorkspacesPerTeam = 4;
    private const int EventCount = 256;

    private CompiledPolicySet _set = null!;
    private List<EventSlice> _events = null!;

    [Params("Inlined", "InlinedWithRegistry", "Registry")]
    public string Variant { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _set = Load(Variant);
        var events = Events(new Random(7));
        _events = [.. events.Select((bytes, i) => EventInputReader.Split(bytes, $"e{i}").Single())];

        // The three ways must decide alike on every event, and decide something.
        using var inlined = Load("Inlined");
        var matches = 0;
        foreach (var slice in _events)
        {
            var expected = string.Join(",", inlined.EvaluateSlice(slice).Matched.Select(m => m.Policy));
            var actual = string.Join(",", _set.EvaluateSlice(slice).Matched.Select(m => m.Policy));
            if (expected != actual)
            {
                throw new InvalidOperationException($"{Variant} decides [{actual}] where the inlined set decides [{expected}]");
            }

            matches += actual.Length == 0 ? 0 : actual.Count(c => c == ',') + 1;
        }

        Console.WriteLine($"// {Variant}: {PolicyCount} policies, {EventCount} events, {(double)matches / EventCount:F2} matches per event");
    }

    [GlobalCleanup]
    public void Cleanup() => _set.Dispose();

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int Evaluate()
    {
        var matched = 0;
        foreach (var slice in _events)
        {
            matched += _set.EvaluateSlice(slice).Matched.Length;
        }

        return matched;
    }

    private static string Workspace(int team, int i) => (10_000_000 + (team * WorkspacesPerTeam) + i).ToString(CultureInfo.InvariantCulture);

    private static string Admin(int team, int i) => (300_000_000 + (team * 10) + i).ToString(CultureInfo.InvariantCulture);

    private static CompiledPolicySet Load(string variant)
    {
        var folder = Directory.CreateTempSubdirectory("oer-bench-registry-").FullName;
        try
        {
            var text = new StringBuilder();
            if (variant != "Inlined")
            {
                text.Append("apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: { name: estate }\nspec:\n  workspaces:\n");
                for (var team = 0; team < Teams; team++)
                {
                    for (var i = 0; i < WorkspacesPerTeam; i++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"    - {{ id: {Workspace(team, i)}, name: ws_{team}_{i}, environment: {(i == 0 ? "DEV" : "PROD")}, labels: [team-{team}] }}\n");
                    }
                }

                text.Append("  sets:\n    scratch-prefixes: [tmp_, test_]\n");
                for (var team = 0; team < Teams; team++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    admins-{team}: [\"{Admin(team, 0)}\", \"{Admin(team, 1)}\"]\n");
                }
            }

            for (var p = 0; p < PolicyCount; p++)
            {
                var team = p % Teams;
                var type = (p / Teams % 2) == 0 ? "DeployFile" : "DeleteFile";
                var registry = variant == "Registry";
                var workspaces = registry ? $"[{{ labels: [team-{team}], environment: PROD }}]" : $"[{string.Join(", ", Enumerable.Range(1, WorkspacesPerTeam - 1).Select(i => Workspace(team, i)))}]";
                var admins = registry ? $"[{{ set: admins-{team} }}]" : $"[\"{Admin(team, 0)}\", \"{Admin(team, 1)}\"]";
                var prefixes = registry ? "[{ prefix: { set: scratch-prefixes } }]" : "[{ prefix: tmp_ }, { prefix: test_ }]";
                text.Append(CultureInfo.InvariantCulture, $"---\napiVersion: openevent.rules/v1\nkind: Policy\nmetadata: {{ name: p{p} }}\nspec:\n");
                text.Append(CultureInfo.InvariantCulture, $"  match: {{ type: [\"dataworks:FileChange:{type}\"], data: {{ fileName: {prefixes}, fileType: [{p % 20}] }} }}\n");
                text.Append(CultureInfo.InvariantCulture, $"  scope: {{ workspaces: {workspaces} }}\n");
                text.Append(CultureInfo.InvariantCulture, $"  exclude: [ {{ scope: {{ operators: {admins} }} }} ]\n");
                text.Append("  actions: [ { block: { reason: \"scratch file\" } } ]\n");
            }

            File.WriteAllText(Path.Combine(folder, "set.yaml"), text.ToString());
            var result = PolicyFolderLoader.LoadAsync([folder]).GetAwaiter().GetResult();
            if (result.HasErrors)
            {
                throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Where(d => d.IsError).Take(5)));
            }

            return PolicySetCompiler.Compile(result.Set);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static List<byte[]> Events(Random random)
    {
        var events = new List<byte[]>(EventCount);
        for (var i = 0; i < EventCount; i++)
        {
            var team = random.Next(Teams + 5);
            var workspace = team < Teams ? Workspace(team, random.Next(WorkspacesPerTeam)) : "99999999";
            var @operator = random.Next(4) == 0 ? Admin(Math.Min(team, Teams - 1), random.Next(2)) : "200012345678901";
            var type = random.Next(2) == 0 ? "DeployFile" : "DeleteFile";
            var file = random.Next(3) switch { 0 => "tmp_orders", 1 => "test_users", _ => "dws_orders" };
            var padding = new string('x', 400);
            var fileType = random.Next(20);
            events.Add(Encoding.UTF8.GetBytes(
                "{\"specversion\":\"1.0\",\"id\":\"e-" + i.ToString(CultureInfo.InvariantCulture) + "\",\"source\":\"acs.dataworks\",\"type\":\"dataworks:FileChange:" + type
                + "\",\"time\":\"2024-07-12T11:08:14+08:00\",\"aliyunaccountid\":\"1234567890123456\",\"aliyunregionid\":\"cn-hangzhou\",\"data\":{\"eventCode\":\"x\","
                + "\"tenantId\":283780000010656,\"projectId\":" + workspace + ",\"operator\":\"" + @operator + "\",\"fileName\":\"" + file
                + "\",\"fileType\":" + fileType.ToString(CultureInfo.InvariantCulture) + ",\"comment\":\"" + padding + "\"}}"));
        }

        return events;
    }
}
