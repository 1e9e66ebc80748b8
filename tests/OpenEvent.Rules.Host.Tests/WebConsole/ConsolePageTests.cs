using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using OpenEvent.Rules.Host.Tests.Actions;

namespace OpenEvent.Rules.Host.Tests.WebConsole;

/// <summary>
/// The console as a person sees it, in a real headless chromium against the real host (no token: loopback). Each test
/// posts its own events (distinct ids) to the host shared by the class, and takes the README's screenshot of its page.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsolePageTests(ConsoleBrowser browser, ConsoleHost fixture) : IClassFixture<ConsoleHost>
{
    private RunningHost Host => fixture.Host;

    private static string DeployEvent(string id, string fileName = "dws_orders") =>
        ConsoleHost.Sample("FileChange-DeployFile.json", id, data => data["fileName"] = fileName);

    private async Task PostAsync(string body)
    {
        using var response = await Host.PostAsync("/events", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<IPage> OpenAsync(string page)
    {
        var tab = await browser.NewPageAsync(Host.BaseAddress);
        await tab.GotoAsync("/console#/" + page);
        return tab;
    }

    [Fact]
    public async Task Decisions_PostedEvents_AppearLive_FilterByVerdictAndWorkspace_AndExplainShowsTheValuesSeen()
    {
        var page = await OpenAsync("decisions");
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("Live:");
        var blocked = "live-block-" + Guid.NewGuid().ToString("N")[..8];
        var allowed = "live-ok-" + Guid.NewGuid().ToString("N")[..8];

        await PostAsync(DeployEvent(blocked));
        await PostAsync(ConsoleHost.Sample("FileChange-DeployFile.json", allowed, data => data["projectId"] = 999));

        var blockedRow = page.Locator("#decisions tbody tr", new() { HasText = blocked });
        var allowedRow = page.Locator("#decisions tbody tr", new() { HasText = allowed });
        await Assertions.Expect(blockedRow.Locator(".verdict")).ToHaveTextAsync("FAIL");
        await Assertions.Expect(blockedRow).ToContainTextAsync("prod-deploy-freeze");
        await Assertions.Expect(allowedRow.Locator(".verdict")).ToHaveTextAsync("OK");

        await page.SelectOptionAsync("#filter-verdict", "FAIL");
        await Assertions.Expect(allowedRow).ToHaveCountAsync(0);
        await Assertions.Expect(blockedRow).ToHaveCountAsync(1);
        await page.SelectOptionAsync("#filter-verdict", "");
        await page.FillAsync("#filter-workspace", "999");
        await Assertions.Expect(blockedRow).ToHaveCountAsync(0);
        await Assertions.Expect(allowedRow).ToHaveCountAsync(1);
        await page.FillAsync("#filter-workspace", "");

        await blockedRow.Locator("button.explain").ClickAsync();
        var detail = page.Locator("#decision-detail");
        var policy = detail.Locator(".explain-policy", new() { HasText = "prod-deploy-freeze" });
        await Assertions.Expect(policy.Locator("h4")).ToContainTextAsync("applies");
        var workspace = policy.Locator("tr", new() { HasText = "workspace" });
        await Assertions.Expect(workspace.Locator("td").First).ToHaveTextAsync("pass");
        await Assertions.Expect(workspace.Locator(".seen")).ToHaveTextAsync("10001234");
        await Assertions.Expect(detail.Locator("pre.code")).ToContainTextAsync($"\"id\": \"{blocked}\"");
        await ConsoleBrowser.ScreenshotAsync(page, "decisions");
    }

    /// <summary>
    /// A burst of decisions (300 from one batch) is drawn in a few redraws, not one per decision: redrawing the 500
    /// rows for every decision froze the tab for minutes during a burst of thousands.
    /// </summary>
    [Fact]
    public async Task Decisions_BurstOfLiveDecisions_AllShown_InAFewRedraws()
    {
        var page = await OpenAsync("decisions");
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("Live:");
        var body = page.Locator("#decisions tbody");
        var before = int.Parse(await body.GetAttributeAsync("data-renders") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var prefix = "burst-" + Guid.NewGuid().ToString("N")[..8] + "-";

        var batch = "[" + string.Join(",", Enumerable.Range(0, 300).Select(i => DeployEvent(prefix + i, "ods_burst"))) + "]";
        using var response = await Host.PostAsync("/events", batch, "application/cloudevents-batch+json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await Assertions.Expect(page.Locator("#decisions tbody tr", new() { HasText = prefix })).ToHaveCountAsync(300);
        var redraws = int.Parse(await body.GetAttributeAsync("data-renders") ?? "0", System.Globalization.CultureInfo.InvariantCulture) - before;
        Assert.InRange(redraws, 1, 60);
    }

    /// <summary>An event of 20,000 lines opens with its first 2,000 highlighted and the rest as plain text, all of it shown.</summary>
    [Fact]
    public async Task Decisions_LargeEvent_FirstLinesHighlighted_RestShownAsText()
    {
        var id = "large-" + Guid.NewGuid().ToString("N")[..8];
        await PostAsync(ConsoleHost.Sample("FileChange-DeployFile.json", id, data =>
        {
            data["fileName"] = "dws_large";
            data["columns"] = new System.Text.Json.Nodes.JsonArray([.. Enumerable.Range(0, 20_000).Select(i => (System.Text.Json.Nodes.JsonNode?)("c" + i))]);
        }));
        var page = await OpenAsync("decisions");

        await page.Locator("#decisions tbody tr", new() { HasText = id }).Locator("button.explain").ClickAsync();

        var code = page.Locator("#decision-detail pre.code");
        await Assertions.Expect(code.Locator(".rest")).ToContainTextAsync("\"c19999\"");
        Assert.Equal(2000, await code.Locator("span.line[data-line]").CountAsync());
        await Assertions.Expect(code).ToContainTextAsync("more lines, not highlighted:");
    }

    [Fact]
    public async Task Decisions_MaskedField_IsShownMaskedInTheEventAndTheExplanation()
    {
        var id = "mask-" + Guid.NewGuid().ToString("N")[..8];
        await PostAsync(ConsoleHost.Sample("ResourcesDownload-DownloadResourcesExecute.json", id, data => data["sqlText"] = "SELECT card_number FROM secret_cards"));
        var page = await OpenAsync("decisions");

        await page.Locator("#decisions tbody tr", new() { HasText = id }).Locator("button.explain").ClickAsync();

        var detail = page.Locator("#decision-detail");
        await Assertions.Expect(detail.Locator("pre.code")).ToContainTextAsync("\"sqlText\": \"***\"");
        Assert.DoesNotContain("secret_cards", await page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decisions_WaivedMatch_ShowsTheWaiverInTheRowAndTheDetail()
    {
        var id = "waived-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenAsync("decisions");
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("Live:");

        await PostAsync(DeployEvent(id, "dws_waived_orders"));

        var row = page.Locator("#decisions tbody tr", new() { HasText = id });
        await Assertions.Expect(row.Locator(".verdict")).ToHaveTextAsync("OK");
        await Assertions.Expect(row.Locator(".pill.waived")).ToHaveTextAsync("prod-deploy-freeze (waived: console-backfill)");
        await row.Locator("button.explain").ClickAsync();
        await Assertions.Expect(page.Locator("#decision-detail dd.waived")).ToHaveTextAsync("prod-deploy-freeze by console-backfill");
    }

    [Fact]
    public async Task Decisions_MarkupAndScriptInAnEventField_AreShownAsText_AndNeverRun()
    {
        const string Hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script><b>bold</b>";
        var id = "xss-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenAsync("decisions");
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("Live:");

        await PostAsync(DeployEvent(id, Hostile));
        var row = page.Locator("#decisions tbody tr", new() { HasText = id });
        await row.Locator("button.explain").ClickAsync();
        await Assertions.Expect(page.Locator("#decision-detail pre.code")).ToContainTextAsync("\"fileName\": \"<img src=x onerror=\\\"window.__pwned=1\\\"><script>window.__pwned=2</script><b>bold</b>\"");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        Assert.Equal(0, await page.Locator("#page img, #page script, #page b").CountAsync());

        // The playground renders the block reason, which quotes the field: as text too.
        await page.GotoAsync("/console#/playground");
        await page.FillAsync("#event-text", DeployEvent(id, Hostile));
        await page.ClickAsync("#evaluate");
        await Assertions.Expect(page.Locator("#playground-result p.muted", new() { HasText = "block: Deploying" })).ToHaveTextAsync($"block: Deploying {Hostile} is frozen until January 4 (year-end change freeze). Ask #data-platform for an exception.");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        Assert.Equal(0, await page.Locator("#page img, #page script, #page b").CountAsync());
    }

    [Fact]
    public async Task Playground_SampleEvent_GivesTheDecision_AndAnEditedPolicyShowsItsDiagnosticsAsYouType()
    {
        var page = await OpenAsync("playground");

        await page.SelectOptionAsync("#sample", "FileChange-DeployFile.json");
        await Assertions.Expect(page.Locator("#playground-verdict .verdict")).ToHaveTextAsync("FAIL");
        await Assertions.Expect(page.Locator("#playground-verdict")).ToContainTextAsync("prod-deploy-freeze");

        await page.CheckAsync("#edit-policy");
        await page.SelectOptionAsync("#policy-file", Path.Combine(Host.PoliciesPath, "prod-deploy-freeze.yaml"));
        await Assertions.Expect(page.Locator("#policy-yaml")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("name: prod-deploy-freeze"));
        var yaml = await page.InputValueAsync("#policy-yaml");
        // Typing: the workspace scope no longer names the sample's workspace, so the edited set lets the deploy through.
        await page.FillAsync("#policy-yaml", yaml.Replace("workspaces: [{ labels: [core-warehouse] }]", "workspaces: [42]", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#playground-verdict .verdict")).ToHaveTextAsync("OK");

        await page.FillAsync("#policy-yaml", yaml.Replace("  priority: 100", "  priority: high", StringComparison.Ordinal));
        var diagnostic = page.Locator("#playground-result .diag").First;
        await Assertions.Expect(diagnostic.Locator(".loc")).ToHaveTextAsync($"{Path.Combine(Host.PoliciesPath, "prod-deploy-freeze.yaml")}:14:13");
        await Assertions.Expect(diagnostic.Locator(".id")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^OER\\d{4}$"));
        await Assertions.Expect(page.Locator("#playground-verdict")).ToHaveCountAsync(0);

        // Nothing was performed: the playground logs no decision and stores no action.
        Assert.DoesNotContain("\"id\":\"9d99e556", Host.DecisionLog.Written == 0 ? "" : await File.ReadAllTextAsync(Host.DecisionLogPath), StringComparison.Ordinal);
        await page.FillAsync("#policy-yaml", yaml);
        await Assertions.Expect(page.Locator("#playground-verdict .verdict")).ToHaveTextAsync("FAIL");
        await ConsoleBrowser.ScreenshotAsync(page, "playground");
    }

    [Fact]
    public async Task Outbox_RetryMovesADeadActionToDelivery_AndPurgeDeletesOne()
    {
        fixture.Receiver.Mode = ReceiverMode.AlwaysFail;
        var first = "dag-" + Guid.NewGuid().ToString("N")[..8];
        var second = "dag-" + Guid.NewGuid().ToString("N")[..8];
        await PostAsync(ConsoleHost.Sample("DagStatusChanges-DagStatusChanges.json", first));
        await PostAsync(ConsoleHost.Sample("DagStatusChanges-DagStatusChanges.json", second));
        await RunningHost.WaitUntilAsync(async () => (await KeysAsync("dead")).Count(k => k.StartsWith(first, StringComparison.Ordinal) || k.StartsWith(second, StringComparison.Ordinal)) == 2, "two dead actions");
        var page = await OpenAsync("outbox");

        var firstRow = page.Locator("#outbox-table tbody tr", new() { HasText = first });
        await Assertions.Expect(firstRow).ToContainTextAsync("dag-hook");
        await Assertions.Expect(firstRow.Locator(".last-error")).ToContainTextAsync("500");
        await ConsoleBrowser.ScreenshotAsync(page, "outbox");

        fixture.Receiver.Mode = ReceiverMode.Succeed;
        await firstRow.Locator("input.pick").CheckAsync();
        await page.ClickAsync("#retry-selected");
        await Assertions.Expect(page.Locator("#outbox-message")).ToHaveTextAsync("1 queued for delivery");
        await Assertions.Expect(page.Locator("#outbox-table tbody tr", new() { HasText = first })).ToHaveCountAsync(0);
        await RunningHost.WaitUntilAsync(async () => (await KeysAsync("delivered")).Any(k => k.StartsWith(first, StringComparison.Ordinal)), "the retried action delivered");
        Assert.Contains(fixture.Receiver.Delivered, r => r.Body.Contains(first, StringComparison.Ordinal));
        await page.SelectOptionAsync("#outbox-status", "delivered");
        await Assertions.Expect(page.Locator("#outbox-table tbody tr", new() { HasText = first })).ToHaveCountAsync(1);

        await page.SelectOptionAsync("#outbox-status", "dead");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.Locator("#outbox-table tbody tr", new() { HasText = second }).Locator("input.pick").CheckAsync();
        await page.ClickAsync("#purge-selected");
        await Assertions.Expect(page.Locator("#outbox-message")).ToHaveTextAsync("1 purged");
        Assert.DoesNotContain(await KeysAsync("dead"), k => k.StartsWith(second, StringComparison.Ordinal));
    }

    private async Task<List<string>> KeysAsync(string status)
    {
        using var response = await Host.Client.GetAsync("/console/api/outbox?status=" + status);
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items");
        return [.. items.EnumerateArray().Select(i => i.GetProperty("key").GetString()!)];
    }

    [Fact]
    public async Task Policies_ShowSourceHighlightedAtThePolicy_HitCounts_AndTestStatus()
    {
        await PostAsync(DeployEvent("hits-" + Guid.NewGuid().ToString("N")[..8]));
        var page = await OpenAsync("policies");

        await Assertions.Expect(page.Locator("#tests-status")).ToContainTextAsync(" passed, 0 failed, 0 errors");
        var row = page.Locator("#policies tbody tr[data-policy='prod-deploy-freeze']");
        await Assertions.Expect(row.Locator(".tests")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(\\d+)/\\1 passed$"));
        Assert.True(int.Parse(await row.Locator(".hits").TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await Assertions.Expect(row).ToContainTextAsync("workspaces: 10001234, 10001235");

        await row.Locator("button.policy-name").ClickAsync();
        var source = page.Locator("#policy-source");
        await Assertions.Expect(source.Locator(".file")).ToHaveTextAsync($"{Path.Combine(Host.PoliciesPath, "prod-deploy-freeze.yaml")}:5");
        await Assertions.Expect(source.Locator(".line.target")).ToHaveTextAsync("5  name: prod-deploy-freeze");
        await Assertions.Expect(source.Locator(".tok-key", new() { HasTextString = "priority" })).ToHaveCountAsync(1);
        await Assertions.Expect(source.Locator(".tok-num", new() { HasTextString = "100" })).ToHaveCountAsync(1);
        await ConsoleBrowser.ScreenshotAsync(page, "policies");
    }

    [Fact]
    public async Task Overview_ShowsTheSetTheChartAndALocatedReloadError()
    {
        await PostAsync(DeployEvent("overview-" + Guid.NewGuid().ToString("N")[..8]));
        var broken = Path.Combine(Host.PoliciesPath, "broken.yaml");
        await File.WriteAllTextAsync(broken, "apiVersion: openevent.rules/v1\nkind: Policy\nmetadata:\n  name: broken\nspec:\n  match:\n    type: [\"dataworks:FileChange:DeployFile\"]\n  mode: loud\n  actions:\n    - warn: { reason: x }\n");
        try
        {
            await RunningHost.WaitUntilAsync(() => Task.FromResult(Host.State.LastFailure is not null), "the reload to be refused");
            var page = await OpenAsync("overview");

            await Assertions.Expect(page.Locator(".revision")).ToHaveTextAsync(Host.State.Current!.Revision);
            var diagnostic = page.Locator("#reload-title ~ .diagnostics .diag").First;
            await Assertions.Expect(diagnostic.Locator(".loc")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("broken\\.yaml:8:\\d+$"));
            await Assertions.Expect(page.Locator(".chart svg[role='img']")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("Decisions in the last hour: \\d+ OK, \\d+ WARN, [1-9]\\d* FAIL"));
            await Assertions.Expect(page.Locator("#top-title ~ table")).ToContainTextAsync("prod-deploy-freeze");
            await ConsoleBrowser.ScreenshotAsync(page, "overview");
        }
        finally
        {
            File.Delete(broken);
            await RunningHost.WaitUntilAsync(() => Task.FromResult(Host.State.LastFailure is null), "the reload to succeed again");
        }
    }

    [Fact]
    public async Task Accessibility_EveryControlIsLabelled_AndTheMainViewsWorkFromTheKeyboard()
    {
        var page = await OpenAsync("overview");
        foreach (var name in new[] { "overview", "decisions", "policies", "playground", "outbox" })
        {
            await page.GotoAsync("/console#/" + name);
            await Assertions.Expect(page.Locator("#page h1")).ToBeVisibleAsync();
            var unlabelled = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('input, select, textarea, button')]
                  .filter(c => !c.closest('[hidden]'))
                  .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
                  .map(c => c.outerHTML)
                """);
            Assert.True(unlabelled.Length == 0, $"{name}: unlabelled controls {string.Join(", ", unlabelled)}");
        }

        // The pages are links: Tab reaches them from the top and Enter opens one.
        await page.GotoAsync("/console#/overview");
        await Assertions.Expect(page.Locator("#page h1")).ToHaveTextAsync("Overview");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Decisions", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#page h1")).ToHaveTextAsync("Decisions");
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("Live:");

        // A decision opens from the keyboard, and its detail takes the focus.
        var id = "keys-" + Guid.NewGuid().ToString("N")[..8];
        await PostAsync(DeployEvent(id));
        var explain = page.Locator("#decisions tbody tr", new() { HasText = id }).Locator("button.explain");
        await explain.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#decision-detail")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#decision-detail h2")).ToContainTextAsync(id);
    }
}
