using Microsoft.Playwright;
using OpenEvent.Rules.Host.Tests.Actions;

namespace OpenEvent.Rules.Host.Tests.WebConsole;

/// <summary>With a token configured, the console asks for it before anything else and keeps the session in a cookie no script can read.</summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleLoginTests(ConsoleBrowser browser)
{
    internal const string Token = "console-token-0123456789abcdef";

    [Fact]
    public async Task Console_WithToken_RequiresALogin_ThenOpens_WithAnHttpOnlyStrictCookie_AndNoTokenInThePage()
    {
        await using var receiver = await StandInServer.StartAsync();
        await using var host = await ConsoleHost.StartAsync(receiver, "--OpenEventRules:Auth:Token", Token);
        var page = await browser.NewPageAsync(host.BaseAddress);

        await page.GotoAsync("/console#/decisions");
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#login-token")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#page")).ToBeEmptyAsync();
        await ConsoleBrowser.ScreenshotAsync(page, "login");

        await page.FillAsync("#login-token", Token + "x");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("That is not the host's token.");

        await page.FillAsync("#login-token", Token);
        await page.ClickAsync("#login-form button[type=submit]");
        await Assertions.Expect(page.Locator("#page h1")).ToHaveTextAsync("Decisions");
        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync();

        var cookie = Assert.Single(await page.Context.CookiesAsync());
        Assert.Equal("oer_console", cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/console", cookie.Path);
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));
        Assert.DoesNotContain(Token, await page.ContentAsync(), StringComparison.Ordinal);

        // Logging out ends the session: the next page asks again.
        await page.ClickAsync("#logout");
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
    }
}
