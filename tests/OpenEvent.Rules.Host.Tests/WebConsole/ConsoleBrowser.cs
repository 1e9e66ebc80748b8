using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OpenEvent.Rules.Host.Tests.Actions;

namespace OpenEvent.Rules.Host.Tests.WebConsole;

/// <summary>
/// One headless chromium for the console's browser tests (the system's: Debian's /usr/bin/chromium, which .ci/run
/// installs; Playwright's own driver ships in its NuGet package, so nothing is downloaded). Each test opens its own
/// context (cookies apart). <c>OER_CHROMIUM</c> names another executable.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public static string Executable => Environment.GetEnvironmentVariable("OER_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Executable, Headless = true });
    }

    /// <summary>A page of a fresh context: 1280x900, failing fast (10 s) when what a test waits for never shows.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(10_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>
    /// Takes a screenshot of the page. It goes to the README's docs/console/NAME.png only when OER_UPDATE_SCREENSHOTS=1
    /// (pixels differ from run to run: an ordinary test run must not leave the working tree changed), else to a
    /// temporary folder.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("OER_UPDATE_SCREENSHOTS") == "1"
            ? RepositoryPaths.Combine("docs", "console")
            : Path.Combine(Path.GetTempPath(), "oer-console-screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
        Assert.True(new FileInfo(path).Length > 1_000, $"the screenshot {path} is nearly empty");
    }
}

/// <summary>The console's browser tests share one browser and run one after the other (one chromium on a 2-core machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleBrowserCollection : ICollectionFixture<ConsoleBrowser>
{
    public const string Name = "console browser";
}

/// <summary>
/// A host for the console's tests: the repository's policies (with their tests and sample events beside them, as in
/// the repository) plus a policy forwarding DAG status changes to an HTTP receiver the test controls, so that the
/// outbox has an action to dead-letter and retry. One attempt per action: a failure is dead at once.
/// </summary>
public sealed class ConsoleHost : IAsyncLifetime
{
    internal RunningHost Host { get; private set; } = null!;

    internal StandInServer Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await StandInServer.StartAsync();
        Host = await StartAsync(Receiver);
    }

    internal static async Task<RunningHost> StartAsync(StandInServer receiver, params string[] settings)
    {
        using var folder = new TempFolder();
        var policies = folder.Path("policies");
        Directory.CreateDirectory(policies);
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Combine("policies")))
        {
            File.Copy(file, Path.Combine(policies, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(Path.Combine(policies, "dag-hook.yaml"), $$"""
            apiVersion: openevent.rules/v1
            kind: Target
            metadata:
              name: dag-hook
            spec:
              type: http
              url: {{receiver.Url("/dag")}}
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata:
              name: forward-dag-status
              description: Sends every DAG status change to the scheduler's hook.
            spec:
              match:
                type: ["dataworks:DagStatusChanges:DagStatusChanges"]
              actions:
                - forward: { target: dag-hook }
            """);
        await File.WriteAllTextAsync(Path.Combine(policies, "waivers.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Waiver
            metadata: { name: console-backfill }
            spec:
              policies: [prod-deploy-freeze]
              match: { data: { fileName: [{ prefix: "dws_waived_" }] } }
              owner: data-eng
              ticket: GOV-7
              reason: the console tests' waived deploy
              expires: 2099-12-31
            """);
        var host = await RunningHost.StartAsync(policies, [
            "--OpenEventRules:Outbox:MaxAttempts", "1",
            // These hosts have no DataWorks to fetch a deploy's code from: the library's detailErrors: fail-mode policy
            // answers with the fail mode, OK here, so that an allowed deploy shows as OK.
            "--OpenEventRules:DataWorks:FailMode", "OK",
            "--OpenEventRules:Outbox:PollInterval", "00:00:00.200",
            .. settings]);
        // The policy tests name their events and details as ../samples/events/... and ../samples/details/...: the samples
        // sit beside the policies, as in the repository.
        foreach (var kind in new[] { "events", "details" })
        {
            var samples = Path.Combine(host.Root, "samples", kind);
            Directory.CreateDirectory(samples);
            foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Combine("samples", kind)))
            {
                File.Copy(file, Path.Combine(samples, Path.GetFileName(file)));
            }
        }

        return host;
    }

    /// <summary>A sample event of the repository with a new id (and, optionally, changes to its data).</summary>
    public static string Sample(string name, string id, Action<JsonObject>? change = null)
    {
        var node = JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("samples", "events", name)))!.AsObject();
        node["id"] = id;
        change?.Invoke(node["data"]!.AsObject());
        return node.ToJsonString();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
