using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>
/// Issue 10's soak: a steady stream of events POSTed to the real host while 50 hostile changes are applied to its
/// policy folder (broken YAML, FIFOs, /dev/zero links, links out of the folder, huge files, statement conditions,
/// engine faults, a reload over its budget, folder swaps), with valid changes in between. No event may be refused,
/// the host and its reload service must keep running, and every bad change must be reported on /policies.
/// </summary>
[Collection(HostMetricsCollection.Name)]
public sealed class HostPolicySoakTests
{
    private const int HostileChanges = 50;

    private enum Hazard
    {
        BrokenYaml,
        Fifo,
        DevZeroLink,
        LinkOut,
        HugeFile,
        StatementCondition,
        FolderSwap,
        SlowReload,
        EngineFault,
        InvalidValue,
        AliasBomb,
    }

    [Fact]
    public async Task Soak_50HostileChangesUnderAStreamOfEvents_NoEventRefusedNoExitEveryChangeReported()
    {
        await using var host = await HazardHost.StartAsync(
            "--OpenEventRules:Reload:TimeoutSeconds", "2",
            "--OpenEventRules:Reload:DebounceMilliseconds", "50");
        var secret = FolderHazards.WriteSecretFile(Path.Combine(host.Host.Root, "run", "secrets"));
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        using var stop = new CancellationTokenSource();
        var stream = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                using var response = await host.Host.PostAsync("/events", HostEndpointTests.DeployEvent($"soak-{n}", "dws_orders"));
                statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
            }
        });

        var reported = new List<string>();
        Action? undo = null;
        try
        {
            for (var i = 0; i < HostileChanges; i++)
            {
                undo?.Invoke();
                var before = host.Host.State.LastFailure;
                var hazard = (Hazard)(i % 11);
                if (hazard == Hazard.SlowReload && i > 11)
                {
                    hazard = Hazard.BrokenYaml; // one reload over its budget is enough: each costs the whole budget
                }

                if (!OperatingSystem.IsLinux() && hazard is Hazard.Fifo or Hazard.DevZeroLink)
                {
                    hazard = Hazard.InvalidValue;
                }

                var (expectedId, file, apply) = Plan(host, hazard, i, secret);
                undo = apply();

                await RunningHost.WaitUntilAsync(async () =>
                {
                    var failure = host.Host.State.LastFailure;
                    if (failure is null || ReferenceEquals(failure, before))
                    {
                        return false;
                    }

                    var errors = await host.ReloadErrorsAsync();
                    return errors.Any(e => Matches(e, expectedId, file, host.Policies));
                }, $"change {i} ({hazard}) to be reported as {expectedId} (last failure: {host.Host.State.LastFailure?.Summary})", timeoutSeconds: 20);
                reported.Add($"{i}:{hazard}");

                // Valid changes in between: the hazard goes, a new policy comes, and it must be served.
                if (i % 5 == 4)
                {
                    undo();
                    undo = null;
                    File.WriteAllText(Path.Combine(host.Policies, $"valid-{i}.yaml"), HazardHost.Policy($"valid-{i}"));
                    await host.WaitForPolicyAsync($"valid-{i}");
                }
            }

            undo?.Invoke();
            await host.WaitForPolicyAsync("valid-49");
        }
        finally
        {
            await stop.CancelAsync();
            await stream;
        }

        Assert.Equal(HostileChanges, reported.Count);
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.OK) > 0, "no event was sent");
        Assert.Equal([HttpStatusCode.OK], statuses.Keys);
        await host.AssertServingAsync("soak-final");
        Assert.True(ReloadFailures(await host.MetricsAsync()) >= HostileChanges);
        Assert.DoesNotContain(FolderHazards.Secret, host.Log.Text);
    }

    /// <summary>What to do for one hazard: the diagnostic it must produce, in which file, and how to apply it (which returns how to undo it).</summary>
    private static (string Id, string? File, Func<Action> Apply) Plan(HazardHost host, Hazard hazard, int i, string secret)
    {
        var policies = host.Policies;
        string PathOf(string name) => Path.Combine(policies, name);
        Action Delete(string name) => () => File.Delete(PathOf(name));

        return hazard switch
        {
            Hazard.BrokenYaml => ("OER1001", $"broken-{i}.yaml", () =>
            {
                File.WriteAllText(PathOf($"broken-{i}.yaml"), "description: deploys: frozen\n");
                return Delete($"broken-{i}.yaml");
            }),
            Hazard.Fifo => ("OER1016", $"fifo-{i}.yaml", () =>
            {
                FolderHazards.MakeFifo(PathOf($"fifo-{i}.yaml"));
                return Delete($"fifo-{i}.yaml");
            }),
            Hazard.DevZeroLink => ("OER1017", $"zero-{i}.yaml", () =>
            {
                File.CreateSymbolicLink(PathOf($"zero-{i}.yaml"), "/dev/zero");
                return Delete($"zero-{i}.yaml");
            }),
            Hazard.LinkOut => ("OER1017", $"out-{i}.yaml", () =>
            {
                File.CreateSymbolicLink(PathOf($"out-{i}.yaml"), secret);
                return Delete($"out-{i}.yaml");
            }),
            Hazard.HugeFile => ("OER1004", $"huge-{i}.yaml", () =>
            {
                using (var stream = new FileStream(PathOf($"huge-{i}.yaml"), FileMode.CreateNew))
                {
                    stream.SetLength(11L * 1024 * 1024);
                }

                return Delete($"huge-{i}.yaml");
            }),
            Hazard.StatementCondition => ("condition", $"cond-{i}.yaml", () =>
            {
                File.WriteAllText(PathOf($"cond-{i}.yaml"), HazardHost.Policy($"cond-{i}").Replace("  actions:", "  condition: |\n    while(true) {}\n  actions:", StringComparison.Ordinal));
                return Delete($"cond-{i}.yaml");
            }),
            Hazard.FolderSwap => ("OER1014", $"swap-{i}.yaml", () =>
            {
                // mv policies policies.old && mv policies.next policies, the new release carrying a mistake.
                var next = policies + ".next";
                Directory.CreateDirectory(next);
                foreach (var file in Directory.GetFiles(policies, "*.yaml"))
                {
                    File.Copy(file, Path.Combine(next, Path.GetFileName(file)));
                }

                File.WriteAllText(Path.Combine(next, $"swap-{i}.yaml"), HazardHost.Policy($"swap-{i}").Replace("  match:", "  mode: sometimes\n  match:", StringComparison.Ordinal));
                var old = $"{policies}.old-{i}";
                Directory.Move(policies, old);
                Directory.Move(next, policies);
                return () =>
                {
                    File.Delete(PathOf($"swap-{i}.yaml"));
                    Directory.Delete(old, recursive: true);
                };
            }),
            Hazard.SlowReload => ("OER1019", null, () =>
            {
                host.Source.Hazard = token => Task.Delay(Timeout.Infinite, token);
                host.ReloadService.RequestReload();
                return () => host.Source.Hazard = null;
            }),
            Hazard.EngineFault => ("OER1018", null, () =>
            {
                host.Source.Hazard = _ => throw new OutOfMemoryException("injected");
                host.ReloadService.RequestReload();
                return () =>
                {
                    host.Source.Hazard = null;
                    host.ReloadService.RequestReload();
                };
            }),
            Hazard.InvalidValue => ("OER1014", $"invalid-{i}.yaml", () =>
            {
                File.WriteAllText(PathOf($"invalid-{i}.yaml"), HazardHost.Policy($"invalid-{i}").Replace("  match:", "  mode: sometimes\n  match:", StringComparison.Ordinal));
                return Delete($"invalid-{i}.yaml");
            }),
            _ => ("OER1008", $"bomb-{i}.yaml", () =>
            {
                File.WriteAllText(PathOf($"bomb-{i}.yaml"),
                    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d]\n");
                return Delete($"bomb-{i}.yaml");
            }),
        };
    }

    /// <summary>
    /// Whether a reported error is the one a hazard must produce. A statement condition is an engine fault (OER1018, at
    /// the folder) until the syntax gate refuses statements itself (an OER2xxx in the file).
    /// </summary>
    private static bool Matches((string Id, string File, string Message) error, string expectedId, string? file, string policies) => expectedId switch
    {
        "condition" => (error.Id == "OER1018" && error.File == policies) || (error.Id.StartsWith("OER2", StringComparison.Ordinal) && error.File.EndsWith(file!, StringComparison.Ordinal)),
        _ when file is null => error.Id == expectedId && error.File == policies,
        _ => error.Id == expectedId && error.File == Path.Join(policies, file),
    };

    private static double ReloadFailures(string metrics) => metrics.Split('\n')
        .Where(l => l.StartsWith("oer_policy_reloads_total{", StringComparison.Ordinal) && l.Contains("result=\"failure\"", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
}
