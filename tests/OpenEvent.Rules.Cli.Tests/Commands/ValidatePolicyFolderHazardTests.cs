using System.Text.Json;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>Issue 10: `oer validate` (and every command that loads --policies) has the host's folder guards, and events files get the same reader.</summary>
public sealed class ValidatePolicyFolderHazardTests : IDisposable
{
    private const string GoodChannel = "apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: good }\nspec: { type: webhook, urlFrom: { env: OER_HOOK_URL } }\n";

    private readonly TempFolder _temp = new();

    public ValidatePolicyFolderHazardTests()
    {
        Policies = _temp.Path("policies");
        _temp.Write("policies/good.yaml", GoodChannel);
    }

    private string Policies { get; }

    public void Dispose() => _temp.Dispose();

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        FolderHazards.WithinAsync(() => Task.FromResult(CliRunner.Run(args)));

    [Fact]
    public async Task Validate_SymlinkToASecret_Oer1017AndTheSecretIsInNoOutput()
    {
        var secret = FolderHazards.WriteSecretFile(_temp.Path("run", "secrets"));
        File.CreateSymbolicLink(Path.Combine(Policies, "zz.yaml"), secret);
        var link = Path.Join(Policies, "zz.yaml");

        foreach (var format in new[] { "text", "json", "sarif" })
        {
            var (exitCode, stdout, stderr) = await RunAsync("validate", Policies, "--format", format);

            Assert.Equal(ExitCodes.Failure, exitCode);
            Assert.DoesNotContain(FolderHazards.Secret, stdout + stderr);
            if (format == "text")
            {
                Assert.Equal(
                    $"""
                    {link}: error OER1017: '{link}' is a symbolic link to '{secret}', outside the policy folder: it is not read
                      hint: keep policy files inside the policy folder: copy the file in, or link to one inside the folder
                    1 error, 0 warnings in 1 file

                    """, stdout);
            }
        }
    }

    [Fact]
    public async Task Validate_FifoInTheFolder_Oer1016InsteadOfBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        FolderHazards.MakeFifo(Path.Combine(Policies, "x.yaml"));

        var (exitCode, stdout, _) = await RunAsync("validate", Policies, "--format", "json");

        Assert.Equal(ExitCodes.Failure, exitCode);
        var diagnostic = Assert.Single(JsonDocument.Parse(stdout).RootElement.EnumerateArray());
        Assert.Equal("OER1016", diagnostic.GetProperty("id").GetString());
        Assert.Equal(Path.Join(Policies, "x.yaml"), diagnostic.GetProperty("file").GetString());
    }

    [Fact]
    public async Task Validate_FifoGivenByName_Oer1016InsteadOfBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fifo = _temp.Path("pipe.yaml");
        FolderHazards.MakeFifo(fifo);

        var (exitCode, stdout, _) = await RunAsync("validate", fifo);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith($"{fifo}: error OER1016: '{fifo}' is a named pipe (FIFO), not a regular file: it is not read\n", stdout);
    }

    [Fact]
    public async Task Test_CaseEventFileIsAFifo_Oer4002InsteadOfBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        FolderHazards.MakeFifo(Path.Combine(Policies, "event.json"));
        var tests = _temp.Write("policies/good.tests.yaml",
            "apiVersion: openevent.rules/v1\nkind: PolicyTest\nmetadata: { name: t }\nspec:\n  cases:\n    - name: piped\n      event: event.json\n      expect: { verdict: OK }\n");

        var (exitCode, stdout, _) = await RunAsync("test", Policies);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{tests}:7:14: error OER4002: the event file 'event.json' of case 'piped' is a named pipe (FIFO), not a regular file (looked for {Path.Join(Policies, "event.json")})\n", stdout);
    }

    [Fact]
    public async Task DryRun_SymlinkToDevZeroInPolicies_ReportedNotOutOfMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        File.CreateSymbolicLink(Path.Combine(Policies, "zero.yaml"), "/dev/zero");
        var deploy = RepositoryPaths.Combine("samples", "events", "FileChange-RunFile.json");

        var (exitCode, _, stderr) = await RunAsync("dry-run", "--policies", Policies, deploy);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"{Path.Join(Policies, "zero.yaml")}: error OER1017: ", stderr);
    }

    [Fact]
    public async Task DryRun_EventsFileThatIsAFifo_ReportedNotBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fifo = _temp.Path("events", "pipe.json");
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        FolderHazards.MakeFifo(fifo);

        var (exitCode, _, stderr) = await RunAsync("dry-run", "--policies", Policies, fifo);

        Assert.NotEqual(ExitCodes.Success, exitCode);
        Assert.Contains($"oer: cannot read {fifo}: it is a named pipe (FIFO), not a regular file", stderr);
    }

    [Fact]
    public async Task DryRun_EventsFolderWithALinkToDevZero_ReportedNotReadToTheEnd()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var events = _temp.Path("events");
        Directory.CreateDirectory(events);
        File.Copy(RepositoryPaths.Combine("samples", "events", "FileChange-RunFile.json"), Path.Combine(events, "a.json"));
        File.CreateSymbolicLink(Path.Combine(events, "zero.json"), "/dev/zero");

        var (exitCode, stdout, stderr) = await RunAsync("dry-run", "--policies", Policies, events);

        Assert.NotEqual(ExitCodes.Success, exitCode);
        Assert.Contains($"oer: cannot read {Path.Combine(events, "zero.json")}: it is a character device, not a regular file", stderr);
        Assert.Contains("FileChange:RunFile", stdout);
    }
}
