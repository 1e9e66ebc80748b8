using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>
/// oer impact between two commits of a temporary git repository: a policy repository with two policies and a
/// corpus of four events; the second commit lowers the download row limit and narrows the deploy freeze.
/// </summary>
public sealed class ImpactCommandTests : IDisposable
{
    private const string RowLimit = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: download-row-limit }
        spec:
          match:
            type: ["dataworks:ResourcesDownload:DownloadResources"]
            data: { dataRowSize: [{ numeric: [">", LIMIT] }] }
          actions:
            - block: { reason: "{{ data.dataRowSize }} rows exceed LIMIT" }

        """;

    private const string Freeze = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          scope: { workspaces: [WORKSPACES] }
          actions:
            - block: { reason: "{{ data.fileName }} is frozen" }
            - notify: { channel: log, message: "froze {{ data.fileName }}" }

        """;

    private readonly TempFolder _repo = new();
    private readonly string _first;
    private readonly string _second;

    public ImpactCommandTests()
    {
        Git("init", "-q", "-b", "main");
        _repo.Write("events/downloads.jsonl", Download("d1", 50_000) + "\n" + Download("d2", 150_000) + "\n" + Download("d3", 5_000) + "\n");
        _repo.Write("events/deploy-a.json", Deploy("p1", 10001234, "dws_orders"));
        _repo.Write("events/deploy-b.json", Deploy("p2", 10001235, "ads_revenue"));
        _repo.Write("policies/row-limit.yaml", RowLimit.Replace("LIMIT", "100000", StringComparison.Ordinal));
        _repo.Write("policies/freeze.yaml", Freeze.Replace("WORKSPACES", "10001234, 10001235", StringComparison.Ordinal));
        Git("add", "-A");
        Git("commit", "-q", "-m", "first");
        _first = Git("rev-parse", "HEAD");

        _repo.Write("policies/row-limit.yaml", RowLimit.Replace("LIMIT", "10000", StringComparison.Ordinal));
        _repo.Write("policies/freeze.yaml", Freeze.Replace("WORKSPACES", "10001234", StringComparison.Ordinal));
        Git("commit", "-q", "-am", "second");
        _second = Git("rev-parse", "HEAD");
    }

    public void Dispose() => _repo.Dispose();

    private string Policies => _repo.Path("policies");

    private string Events => _repo.Path("events");

    private static string Download(string id, int rows) =>
        $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"acs.dataworks","type":"dataworks:ResourcesDownload:DownloadResources","data":{"queryDwProjectId":"10001234","dataRowSize":{{{rows}}}}}""";

    private static string Deploy(string id, long workspace, string file) =>
        $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":{{{workspace}}},"fileName":"{{{file}}}"}}""";

    private string Git(params string[] arguments)
    {
        var (exitCode, output, error) = CliRunner.Execute(_repo.Root, "git", arguments);
        Assert.True(exitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
        return output.Trim();
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Impact_TwoCommits_ReportsExactlyTheChangedEvents()
    {
        var (exitCode, stdout, stderr) = Run("impact", "--base", _first, "--head", _second, "--policies", Policies, "--events", Events, "--exit-code");

        Assert.True(exitCode == ExitCodes.Changed, stderr);
        var downloads = Path.Join(Events, "downloads.jsonl");
        var deployB = Path.Join(Events, "deploy-b.json");
        Assert.Equal(
            $"""
            oer impact: {_first} ({_first[..7]}) -> {_second} ({_second[..7]})
            5 events, 3 changed, 0 invalid

            CHANGED {deployB}[0]  dataworks:FileChange:DeployFile  id=p2
              verdict: FAIL -> OK
              - deploy-freeze: block "ads_revenue is frozen"
              - deploy-freeze: notify log "froze ads_revenue"

            CHANGED {downloads}[0]  dataworks:ResourcesDownload:DownloadResources  id=d1
              verdict: OK -> FAIL
              + download-row-limit: block "50000 rows exceed 10000"

            CHANGED {downloads}[1]  dataworks:ResourcesDownload:DownloadResources  id=d2
              + download-row-limit: block "150000 rows exceed 10000"
              - download-row-limit: block "150000 rows exceed 100000"

            summary:
              newly blocked (FAIL): 1
              no longer blocked: 1
              newly warned (WARN): 0
              no longer warned: 0
              notifications added / removed: 0 / 1
              forwards added / removed: 0 / 0
            matches per policy (base -> head):
              deploy-freeze       2 -> 1  (-1)
              download-row-limit  1 -> 2  (+1)
            policies that match no event of the corpus: none

            """, stdout);
    }

    [Fact]
    public void Impact_ReasonTextChangeOnly_StillAChange()
    {
        var (_, stdout, _) = Run("impact", "--base", _first, "--head", _second, "--policies", Policies, "--events", Path.Join(Events, "downloads.jsonl"));

        Assert.Contains("CHANGED " + Path.Join(Events, "downloads.jsonl") + "[1]  dataworks:ResourcesDownload:DownloadResources  id=d2\n  + download-row-limit: block \"150000 rows exceed 10000\"\n  - download-row-limit: block \"150000 rows exceed 100000\"\n", stdout);
    }

    [Fact]
    public void Impact_HeadDefaultsToTheWorkingTree_WhichStaysUntouched()
    {
        _repo.Write("policies/freeze.yaml", Freeze.Replace("WORKSPACES", "10009999", StringComparison.Ordinal));

        var (exitCode, stdout, _) = Run("impact", "--base", "HEAD", "--policies", Policies, "--events", Path.Join(Events, "deploy-a.json"), "--exit-code");

        Assert.Equal(ExitCodes.Changed, exitCode);
        Assert.StartsWith($"oer impact: HEAD ({_second[..7]}) -> {Policies}\n1 events, 1 changed, 0 invalid\n", stdout);
        Assert.Equal("M policies/freeze.yaml", Git("status", "--porcelain"));
        Assert.Contains("10009999", File.ReadAllText(_repo.Path("policies", "freeze.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Impact_NoChange_ExitCode0()
    {
        var (exitCode, stdout, _) = Run("impact", "--base", _second, "--head", Policies, "--policies", Policies, "--events", Events, "--exit-code");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("5 events, 0 changed, 0 invalid\n", stdout);
    }

    [Fact]
    public void Impact_PolicyMatchingNothing_Listed()
    {
        var (_, stdout, _) = Run("impact", "--base", _first, "--head", _second, "--policies", Policies, "--events", Path.Join(Events, "deploy-a.json"));

        Assert.EndsWith("policies that match no event of the corpus: download-row-limit\n", stdout);
    }

    [Fact]
    public void Impact_Markdown_PullRequestComment()
    {
        var (_, stdout, _) = Run("impact", "--base", _first, "--head", _second, "--policies", Policies, "--events", Path.Join(Events, "deploy-b.json"), "--format", "markdown");

        Assert.Equal(
            $"""
            ## oer impact

            Policies `{_first} ({_first[..7]})` → `{_second} ({_second[..7]})`, evaluated on 1 events: **1 event changes**.

            | | |
            |---|---:|
            | newly blocked (FAIL) | 0 |
            | no longer blocked | 1 |
            | newly warned (WARN) | 0 |
            | no longer warned | 0 |
            | notifications added / removed | 0 / 1 |
            | forwards added / removed | 0 / 0 |

            ### Changed events

            | event | type | verdict | change |
            |---|---|---|---|
            | `{Path.Join(Events, "deploy-b.json")}[0]` | `dataworks:FileChange:DeployFile` | FAIL → **OK** | \- deploy-freeze: block "ads_revenue is frozen"<br>\- deploy-freeze: notify log "froze ads_revenue" |

            ### Matches per policy

            | policy | base | head | change |
            |---|---:|---:|---:|
            | `deploy-freeze` | 1 | 0 | -1 |
            | `download-row-limit` | 0 | 0 |  |

            ### Policies that match no event of the corpus

            - `deploy-freeze`
            - `download-row-limit`

            """, stdout);
    }

    [Fact]
    public void Impact_ExistingFolderWinsOverAGitReference()
    {
        // A folder named like a branch is read as a folder.
        _repo.Write("main/freeze.yaml", Freeze.Replace("WORKSPACES", "10009999", StringComparison.Ordinal));
        var cwd = Environment.CurrentDirectory;
        var main = _repo.Path("main");

        var (_, stdout, _) = Run("impact", "--base", main, "--head", _second, "--policies", Policies, "--events", Path.Join(Events, "deploy-a.json"));

        Assert.StartsWith($"oer impact: {main} -> {_second} ({_second[..7]})\n", stdout);
        Assert.Equal(cwd, Environment.CurrentDirectory);
    }

    [Fact]
    public void Impact_UnknownReference_Exit2()
    {
        var (exitCode, _, stderr) = Run("impact", "--base", "no-such-branch", "--policies", Policies, "--events", Events);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer: --base 'no-such-branch' is neither a folder nor a usable git reference: 'no-such-branch' is not a commit of this repository\n", stderr);
    }

    [Fact]
    public void Impact_InvalidPoliciesAtACommit_Exit1()
    {
        _repo.Write("policies/freeze.yaml", Freeze.Replace("deploy-freeze", "Deploy_Freeze", StringComparison.Ordinal));
        Git("commit", "-q", "-am", "broken");

        var (exitCode, _, stderr) = Run("impact", "--base", _second, "--head", "HEAD", "--policies", Policies, "--events", Events);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith("oer: policies from base ", stderr);
        Assert.Contains("\noer: the head policies (HEAD (", stderr);
        Assert.Contains("error OER1015: invalid name 'Deploy_Freeze'", stderr);
    }

    [Fact]
    public void Impact_MissingEvents_Exit2()
    {
        Assert.Equal(ExitCodes.Usage, Run("impact", "--base", _first, "--policies", Policies, "--events", _repo.Path("none")).ExitCode);
        Assert.Equal(ExitCodes.Usage, Run("impact", "--policies", Policies, "--events", Events).ExitCode);
    }
}
