using System.Diagnostics;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>
/// Issue 10, deliverable 1, against the real host: nothing in the policy folder stops or wedges it. Each hazard is
/// applied to the folder of a running host; the reload must fail with a located diagnostic on /policies, in the log and
/// in oer_policy_reload_failing, while the last good set keeps serving, and the next good change must load.
/// </summary>
[Collection(HostMetricsCollection.Name)]
public sealed class HostPolicyFolderHazardTests
{
    private static async Task AssertReportedAndRecoversAsync(HazardHost host, string eventId)
    {
        await host.AssertServingAsync(eventId);
        await host.WaitForMetricAsync("oer_policy_reload_failing", 1);
        Assert.Equal(["deploy-freeze", "failed-instances"], (await host.PoliciesAsync()).GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order());
    }

    [Fact]
    public async Task Reload_FifoNamedLikeAPolicy_ReportedNotBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        await using var host = await HazardHost.StartAsync();
        FolderHazards.MakeFifo(Path.Combine(host.Policies, "x.yaml"));

        var error = await host.WaitForReloadErrorAsync("OER1016", "x.yaml");

        Assert.Equal($"'{Path.Join(host.Policies, "x.yaml")}' is a named pipe (FIFO), not a regular file: it is not read", error.Message);
        Assert.Contains(host.Log.Lines, line => line.Contains($"error OER1016: '{Path.Join(host.Policies, "x.yaml")}' is a named pipe", StringComparison.Ordinal));
        await AssertReportedAndRecoversAsync(host, "fifo-1");

        // The next change (the FIFO removed, a policy added) reloads: nothing was left blocked.
        File.Delete(Path.Combine(host.Policies, "x.yaml"));
        File.WriteAllText(Path.Combine(host.Policies, "after.yaml"), HazardHost.Policy("after-fifo"));
        await host.WaitForPolicyAsync("after-fifo");
    }

    [Fact]
    public async Task Reload_SymlinkToDevZero_ReportedHostKeepsRunning()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        await using var host = await HazardHost.StartAsync();
        File.CreateSymbolicLink(Path.Combine(host.Policies, "zero.yaml"), "/dev/zero");

        var error = await host.WaitForReloadErrorAsync("OER1017", "zero.yaml");

        Assert.Equal($"'{Path.Join(host.Policies, "zero.yaml")}' is a symbolic link to '/dev/zero', outside the policy folder: it is not read", error.Message);
        await AssertReportedAndRecoversAsync(host, "zero-1");
    }

    [Fact]
    public async Task Reload_SymlinkToASecret_RefusedAndTheSecretReachesNeitherPoliciesNorTheLog()
    {
        await using var host = await HazardHost.StartAsync();
        var secret = FolderHazards.WriteSecretFile(Path.Combine(host.Host.Root, "run", "secrets"));
        File.CreateSymbolicLink(Path.Combine(host.Policies, "zz.yaml"), secret);

        var error = await host.WaitForReloadErrorAsync("OER1017", "zz.yaml");

        Assert.Equal($"'{Path.Join(host.Policies, "zz.yaml")}' is a symbolic link to '{secret}', outside the policy folder: it is not read", error.Message);
        Assert.DoesNotContain(FolderHazards.Secret, await host.Host.Client.GetStringAsync("/policies"));
        Assert.DoesNotContain(FolderHazards.Secret, host.Log.Text);
        await AssertReportedAndRecoversAsync(host, "secret-1");
    }

    [Fact]
    public async Task Reload_HugeFile_Oer1004()
    {
        await using var host = await HazardHost.StartAsync();
        using (var stream = new FileStream(Path.Combine(host.Policies, "huge.yaml"), FileMode.CreateNew))
        {
            stream.SetLength(64L * 1024 * 1024);
        }

        var error = await host.WaitForReloadErrorAsync("OER1004", "huge.yaml");

        Assert.Equal("file is 64 MB, larger than the 10 MB limit", error.Message);
        await AssertReportedAndRecoversAsync(host, "huge-1");
    }

    [Fact]
    public async Task Reload_StatementAsCondition_TheHostSurvivesReportsAndReloadsLater()
    {
        await using var host = await HazardHost.StartAsync();
        File.WriteAllText(Path.Combine(host.Policies, "loop.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: loop }
            spec:
              match: { type: ["dataworks:FileChange:RunFile"] }
              condition: |
                while(true) {}
              actions: [ { warn: { reason: x } } ]
            """);

        // Before issue 10 the compiler's exception escaped the reload service and the host exited (code 0). It is an
        // engine fault (OER1018) until the syntax gate refuses statements itself with a located OER2xxx.
        await RunningHost.WaitUntilAsync(async () => (await host.ReloadErrorsAsync()).Count > 0, "the reload to fail");
        var error = Assert.Single(await host.ReloadErrorsAsync());
        Assert.True(error.Id == "OER1018" ? error.File == host.Policies : error.File.EndsWith("loop.yaml", StringComparison.Ordinal), error.ToString());
        await AssertReportedAndRecoversAsync(host, "statement-1");

        File.Delete(Path.Combine(host.Policies, "loop.yaml"));
        File.WriteAllText(Path.Combine(host.Policies, "after.yaml"), HazardHost.Policy("after-statement"));
        await host.WaitForPolicyAsync("after-statement");
    }

    [Theory]
    [InlineData("ArgumentOutOfRangeException")]
    [InlineData("OutOfMemoryException")]
    [InlineData("InvalidOperationException")]
    [InlineData("NullReferenceException")]
    public async Task Reload_AnyExceptionInAStep_Oer1018OnPoliciesLogAndMetrics(string type)
    {
        await using var host = await HazardHost.StartAsync();
        Exception fault = type switch
        {
            "ArgumentOutOfRangeException" => new ArgumentOutOfRangeException(nameof(type)),
            "OutOfMemoryException" => new OutOfMemoryException("Insufficient memory to continue the execution of the program."),
            "InvalidOperationException" => new InvalidOperationException("boom\nwith a second line"),
            _ => new NullReferenceException(),
        };
        host.Source.Hazard = _ => throw fault;
        host.ReloadService.RequestReload();

        var error = await host.WaitForReloadErrorAsync("OER1018");

        Assert.Equal(host.Policies, error.File);
        Assert.Equal($"loading the policies failed unexpectedly: {type}: {Model.TextExcerpt.Of(fault.Message, 200)}", error.Message);
        Assert.Contains(host.Log.Lines, line => line.Contains($"error OER1018: loading the policies failed unexpectedly: {type}", StringComparison.Ordinal));
        Assert.Contains(host.Log.Lines, line => line.Contains("Policy reload rejected with 1 error(s)", StringComparison.Ordinal));
        await AssertReportedAndRecoversAsync(host, "fault-" + type);

        host.Source.Hazard = null;
        File.WriteAllText(Path.Combine(host.Policies, "after.yaml"), HazardHost.Policy("after-fault"));
        await host.WaitForPolicyAsync("after-fault");
    }

    [Fact]
    public async Task Reload_OverItsBudget_AbandonedCancelledReportedAndTheNextChangeReloads()
    {
        await using var host = await HazardHost.StartAsync("--OpenEventRules:Reload:TimeoutSeconds", "1");

        // 1. A slow step that honours its token: abandoned at the budget, and cancelled.
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Source.Hazard = async token =>
        {
            using var registration = token.Register(cancelled.SetResult);
            await Task.Delay(Timeout.Infinite, token);
        };
        File.WriteAllText(Path.Combine(host.Policies, "slow.yaml"), HazardHost.Policy("slow"));

        var error = await host.WaitForReloadErrorAsync("OER1019");
        Assert.Equal("the reload took longer than 1 s and was abandoned", error.Message);
        Assert.Equal(host.Policies, error.File);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.WaitForMetricAsync("oer_policy_reloads_abandoned_total", 1);
        Assert.Contains(host.Log.Lines, line => line.Contains("Policy reload abandoned after 1 s", StringComparison.Ordinal));
        await AssertReportedAndRecoversAsync(host, "slow-1");

        // 2. A step that ignores its token and never returns: the service does not wait for it either.
        using var release = new ManualResetEventSlim();
        host.Source.Hazard = _ =>
        {
            release.Wait(CancellationToken.None); // deliberately deaf to the reload's token
            return Task.CompletedTask;
        };
        host.ReloadService.RequestReload();
        await host.WaitForMetricAsync("oer_policy_reloads_abandoned_total", 2);
        Assert.Equal(1, host.ReloadService.AbandonedReloadsRunning);

        try
        {
            // The lock is free: the next change reloads while the abandoned attempt is still stuck.
            host.Source.Hazard = null;
            File.WriteAllText(Path.Combine(host.Policies, "fixed.yaml"), HazardHost.Policy("fixed"));
            await host.WaitForPolicyAsync("fixed");
            await host.WaitForPolicyAsync("slow");
            Assert.Equal(1, host.ReloadService.AbandonedReloadsRunning);
            await host.WaitForMetricAsync("oer_policy_reload_failing", 0);
        }
        finally
        {
            release.Set();
        }

        // What the abandoned attempt built when it finally ended was discarded, never swapped in.
        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.ReloadService.AbandonedReloadsRunning == 0), "the abandoned attempt to end");
        Assert.Null(host.Host.State.LastFailure);
    }

    [Fact]
    public async Task Reload_FolderReplacedByRename_PickedUpAndTheNewFolderIsWatched()
    {
        await using var host = await HazardHost.StartAsync();
        var next = Path.Combine(host.Host.Root, "policies.next");
        Directory.CreateDirectory(next);
        File.Copy(Path.Combine(host.Policies, "deploy-freeze.yaml"), Path.Combine(next, "deploy-freeze.yaml"));
        File.WriteAllText(Path.Combine(next, "release-2.yaml"), HazardHost.Policy("release-2"));

        // The usual deploy: the old folder moved aside, the new one moved in.
        Directory.Move(host.Policies, Path.Combine(host.Host.Root, "policies.old"));
        Directory.Move(next, host.Policies);

        await host.WaitForPolicyAsync("release-2", timeoutSeconds: 10);
        await host.WaitForPolicyAsync("failed-instances", present: false, timeoutSeconds: 10);

        // Edits land in the new folder, and are seen: a watcher on the new folder replaced the old one's (the identity
        // check alone would not see them, the folder's identity being the same since the last reload).
        File.WriteAllText(Path.Combine(host.Policies, "release-2b.yaml"), HazardHost.Policy("release-2b"));
        await host.WaitForPolicyAsync("release-2b", timeoutSeconds: 10);
    }

    [Fact]
    public async Task Reload_ReleaseLinkSwapped_PickedUp()
    {
        var root = Directory.CreateTempSubdirectory("oer-release-").FullName;
        try
        {
            var release1 = Path.Combine(root, "releases", "1");
            var release2 = Path.Combine(root, "releases", "2");
            Directory.CreateDirectory(release1);
            Directory.CreateDirectory(release2);
            File.Copy(Path.Combine(RunningHost.FixturePolicies, "deploy-freeze.yaml"), Path.Combine(release1, "deploy-freeze.yaml"));
            File.WriteAllText(Path.Combine(release2, "release-2.yaml"), HazardHost.Policy("release-2"));
            var current = Path.Combine(root, "current");
            Directory.CreateSymbolicLink(current, release1);

            await using var host = await HazardHost.StartAsync("--OpenEventRules:PoliciesPath", current);
            await host.WaitForPolicyAsync("deploy-freeze");

            // ln -s releases/2 current.tmp && mv -T current.tmp current: the link is replaced atomically.
            Directory.CreateSymbolicLink(Path.Combine(root, "current.tmp"), release2);
            using (var mv = Process.Start("mv", ["-T", Path.Combine(root, "current.tmp"), current]))
            {
                await mv.WaitForExitAsync();
                Assert.Equal(0, mv.ExitCode);
            }

            await host.WaitForPolicyAsync("release-2", timeoutSeconds: 10);
            await host.WaitForPolicyAsync("deploy-freeze", present: false);

            // The new release is watched.
            File.WriteAllText(Path.Combine(release2, "release-2b.yaml"), HazardHost.Policy("release-2b"));
            await host.WaitForPolicyAsync("release-2b", timeoutSeconds: 10);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Settings_ReloadTimeoutOutOfRange_RefusedAtStart()
    {
        var options = new Host.Configuration.RulesHostOptions { PoliciesPath = RunningHost.FixturePolicies };
        options.Reload.TimeoutSeconds = 0;

        var result = new Host.Configuration.RulesHostOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("OpenEventRules:Reload:TimeoutSeconds", StringComparison.Ordinal));
    }
}
