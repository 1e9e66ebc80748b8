using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenEvent.Rules.Cli.Tests.Documentation;

/// <summary>
/// A newcomer's first hour, as the pages tell it: in a copy of the repository's content, the README's five-minute
/// tour (the steps marked <c>&lt;!-- tour: ... --&gt;</c>, then serving the folder and posting the sample event as its
/// curl lines do), then the guide's "A first policy"; afterwards the shipped library must still validate and pass
/// its tests, so following the pages never collides with what ships.
/// </summary>
public sealed partial class ReadmeTourTests : IDisposable
{
    private readonly TempFolder _copy = new();

    public void Dispose() => _copy.Dispose();

    [Fact]
    public async Task ReadmeTourThenGuideFirstPolicy_FollowedLiterally_WorkAndTheLibraryStillPasses()
    {
        foreach (var folder in (string[])["policies", "samples", "schemas"])
        {
            CopyFolder(RepositoryPaths.Combine(folder), _copy.Path(folder));
        }

        var session = new DocumentedSession(_copy.Root);
        var readme = RepositoryPaths.Combine("README.md");
        var tour = DocumentedSession.Read(readme, "tour");
        Assert.Equal(4, tour.Count); // the policy file, validate, dry-run, explain
        session.Replay(tour);

        await ServeAsTheReadmeShowsAsync(File.ReadAllText(readme));

        var guide = RepositoryPaths.Combine("policy-guide.md");
        var firstPolicy = DocumentedSession.Read(guide, "tour");
        Assert.Contains(firstPolicy, s => s is DocumentedSession.WriteFile { Path: var path } && path.StartsWith("my-policies/", StringComparison.Ordinal));
        session.Replay(firstPolicy);

        var (validateExit, validate) = session.Oer(["validate", "policies", "--strict"]);
        Assert.True(validateExit == 0, validate);
        var (testExit, tests) = session.Oer(["test", "policies", "--require-coverage"]);
        Assert.True(testExit == 0, tests);
        var documentedCases = GuideCaseCount().Match(File.ReadAllText(guide));
        Assert.True(documentedCases.Success, "policy-guide.md no longer says how many cases the library has");
        Assert.Contains($"\n{documentedCases.Groups["count"].Value} passed, 0 failed, 0 errors in {documentedCases.Groups["count"].Value} cases", tests);
    }

    /// <summary>Step 5: oer serve on the reader's folder, the sample event posted, the answer the README shows, the decision log where it says.</summary>
    private async Task ServeAsTheReadmeShowsAsync(string readme)
    {
        Assert.Contains("`oer serve --policies my-policies/`", readme, StringComparison.Ordinal);
        var documented = PostedAnswer().Match(readme);
        Assert.True(documented.Success, "README.md no longer shows the answer to the posted sample event");

        var port = FreePort();
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = _copy.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec \"$0\" \"$@\" 2>&1", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", DocumentedSession.OerDll,
                     "serve", "--policies", "my-policies/", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        using var host = Process.Start(start)!;
        var output = new StringBuilder();
        host.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        host.BeginOutputReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilAsync(async () => !host.HasExited && await IsReadyAsync(client), () => $"the host to be ready; it said:\n{output}");

            using var content = new ByteArrayContent(File.ReadAllBytes(Path.Combine(_copy.Root, "samples", "events", "FileChange-DeployFile.json")));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/cloudevents+json");
            using var response = await client.PostAsync("/events", content);
            var answer = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(DocumentedSession.Matches(documented.Groups["json"].Value, answer), $"README shows {documented.Groups["json"].Value}\nthe host answered {answer}");

            var log = Path.Combine(_copy.Root, "logs", "decisions.jsonl");
            await WaitUntilAsync(() => Task.FromResult(File.Exists(log) && File.ReadAllText(log).Contains("deploy-freeze", StringComparison.Ordinal)),
                () => $"the decision log at {log} (tail -1 logs/decisions.jsonl)");
            lock (output)
            {
                Assert.Matches(@"Loaded 1 policy from 1 file in my-policies/ \(revision sha256:[0-9a-f]{16}\)", output.ToString());
            }
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var ready = await client.GetAsync("/readyz");
            return ready.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"timed out waiting for {what()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"--data @samples/events/FileChange-DeployFile\.json\n# (?<json>\{.*\})\n")]
    private static partial Regex PostedAnswer();

    [GeneratedRegex(@"\((?<count>\d+) cases; `oer test policies")]
    private static partial Regex GuideCaseCount();
}
