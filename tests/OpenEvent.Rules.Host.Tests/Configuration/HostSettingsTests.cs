using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Tests.Configuration;

/// <summary>
/// "Every setting is validated": a key under OpenEventRules that is not a setting, an unknown command-line option or a
/// stray word stops the start with a did-you-mean instead of being ignored; where the host keeps its files.
/// </summary>
public sealed partial class HostSettingsTests
{
    internal static string[] Base => ["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies];

    [Fact]
    public void Build_UnknownSettingKeys_FailNamingEachWithTheLikelyFix()
    {
        var error = Assert.Throws<OptionsValidationException>(() => RulesHost.Build([.. Base,
            "--OpenEventRules:Limits:MaxEventByte", "5",
            "--OpenEventRules:Outbox:Pth", "x.db",
            "--OpenEventRules:MaxBatchBytes", "5",
            "--OpenEventRules:Zzz", "1",
            "--OpenEventRules:DecisionLog:Mask:first", "/data/x",
            "--OpenEventRules:Auth:Token:Value", "0123456789abcdef0123",
            "--OpenEventRules:DataWorks:Enabled", "true"]));

        Assert.Equal(
            [
                "unknown setting OpenEventRules:Auth:Token:Value (command line): OpenEventRules:Auth:Token is a single value, not a section.",
                "unknown setting OpenEventRules:DataWorks:Enabled (command line): did you mean OpenEventRules:Detail:Enabled?",
                "unknown setting OpenEventRules:DecisionLog:Mask:first (command line): OpenEventRules:DecisionLog:Mask is a list; number its entries (OpenEventRules:DecisionLog:Mask:0, OpenEventRules:DecisionLog:Mask:1, ...).",
                "unknown setting OpenEventRules:Limits:MaxEventByte (command line): did you mean OpenEventRules:Limits:MaxEventBytes?",
                "unknown setting OpenEventRules:MaxBatchBytes (command line): did you mean OpenEventRules:Limits:MaxBatchBytes?",
                "unknown setting OpenEventRules:Outbox:Pth (command line): did you mean OpenEventRules:Outbox:Path?",
                "unknown setting OpenEventRules:Zzz (command line): the settings of OpenEventRules are PoliciesPath, DataDirectory, Auth, Limits, DecisionLog, Reload, Conditions, Outbox, Actions, DataWorks, Detail, Broker, Console, Waivers.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Start_UnknownKeyInAppSettingsFile_NamesTheFile()
    {
        using var temp = new TempFolder();
        var file = temp.Write("appsettings.custom.json", """{ "OpenEventRules": { "Reload": { "Wacth": false } } }""");
        var app = RulesHost.Build(Base, builder => builder.Configuration.AddJsonFile(file));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("unknown setting OpenEventRules:Reload:Wacth (appsettings.custom.json): did you mean OpenEventRules:Reload:Watch?", error.Failures);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_DictionaryAndListSettings_AreAccepted()
    {
        await using var host = await RunningHost.StartAsync(null,
            "--OpenEventRules:Actions:Channels:oncall:RateLimitPerMinute", "5",
            "--OpenEventRules:DecisionLog:Mask:0", "/data/sqlText",
            "--openeventrules:limits:maxeventbytes", "2048",
            "--Logging:LogLevel:Default", "Warning");

        Assert.True(host.State.IsReady);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Run_Help_SaysHowTheHostIsConfiguredAndExitsZero(string help)
    {
        // The host's executable took --help for a setting missing its value ("--help needs a value", exit 2).
        using var errors = new StringWriter();

        var exitCode = await RulesHost.RunAsync([help], errors);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("usage: OpenEvent.Rules.Host [--Key value]...", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("  --OpenEventRules:Limits:MaxBatchEvents" + Environment.NewLine, errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MisspeltSetting_OneLineExit2WithoutStarting()
    {
        using var errors = new StringWriter();

        var exitCode = await RulesHost.RunAsync([.. Base, "--OpenEventRules:Limits:MaxEventByte", "5"], errors);

        Assert.Equal(2, exitCode);
        Assert.Equal("oer serve: unknown setting OpenEventRules:Limits:MaxEventByte (command line): did you mean OpenEventRules:Limits:MaxEventBytes?" + Environment.NewLine, errors.ToString());
    }

    [Theory]
    [InlineData("OpenEventRules:Limits:MaxEventBytes", "abc", "'abc' is not a whole number (e.g. 1048576).")]
    [InlineData("OpenEventRules:Reload:Watch", "yes", "'yes' is not true or false.")]
    [InlineData("OpenEventRules:Outbox:CommitDelay", "5s", "'5s' is not a duration written [d.]hh:mm:ss[.fff] (e.g. 00:00:05 for 5 seconds).")]
    [InlineData("OpenEventRules:Limits:MaxEventBytes", "1\nforged line", "'1\\nforged line' is not a whole number (e.g. 1048576).")] // escaped: one line
    public async Task RunAsync_SettingOfTheWrongKind_OneLineNamingWhereAndWhatIsExpected(string key, string value, string expected)
    {
        using var errors = new StringWriter();

        var exitCode = await RulesHost.RunAsync([.. Base, "--" + key, value], errors);

        Assert.Equal(2, exitCode);
        Assert.Equal($"oer serve: invalid setting {key} (command line): {expected}" + Environment.NewLine, errors.ToString());
    }

    [Fact]
    public async Task RunAsync_HostCommandLineMistakes_Exit2NamingEach()
    {
        // dotnet run --project engine/OpenEvent.Rules.Host -- --polices my-policies --port 18333 my-policies
        using var errors = new StringWriter();

        var exitCode = await RulesHost.RunAsync(["--polices", "my-policies", "--PoliciesPath", "x", "stray", "--port", "18333", "--urls", "http://127.0.0.1:1"], errors);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            string.Join(Environment.NewLine,
                "oer serve: unknown option '--polices': did you mean --OpenEventRules:PoliciesPath?",
                "oer serve: unknown option '--PoliciesPath': did you mean --OpenEventRules:PoliciesPath?",
                "oer serve: unexpected argument 'stray': settings are written --Key value, e.g. --OpenEventRules:PoliciesPath my-policies",
                "oer serve: --port and --urls were both given: keep one (--port N listens on http://127.0.0.1:N).") + Environment.NewLine,
            errors.ToString());
    }

    [Fact]
    public void HostArguments_OerServeNames_AreTheSettingsTheyName()
    {
        var (arguments, problems) = HostArguments.Normalize(["--policies", "p", "--Token=t"]);

        Assert.Empty(problems);
        Assert.Equal(["--OpenEventRules:PoliciesPath", "p", "--OpenEventRules:Auth:Token", "t"], arguments);
    }

    [Fact]
    public void HostArguments_Port_BecomesALoopbackUrl()
    {
        var (arguments, problems) = HostArguments.Normalize(["--OpenEventRules:PoliciesPath", "p", "--port=18333", "--Kestrel:Limits:MaxConcurrentConnections", "10"]);

        Assert.Empty(problems);
        Assert.Equal(["--OpenEventRules:PoliciesPath", "p", "--Kestrel:Limits:MaxConcurrentConnections", "10", "--urls", "http://127.0.0.1:18333"], arguments);
    }

    [Fact]
    public async Task Port_Setting_ListensOnThatPort()
    {
        var port = FreePort();
        var (arguments, _) = HostArguments.Normalize(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await using var host = await RunningHost.StartAsync(null, arguments);

        Assert.Equal(new Uri($"http://127.0.0.1:{port}"), host.BaseAddress);
        using var ready = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task DataDirectory_DefaultIsTheFolderHoldingThePolicies_NotTheWorkingDirectory()
    {
        using var temp = new TempFolder();
        var policies = temp.Path("site", "my-policies");
        Directory.CreateDirectory(policies);
        File.Copy(Path.Combine(RunningHost.FixturePolicies, "deploy-freeze.yaml"), Path.Combine(policies, "deploy-freeze.yaml"));
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", policies]);

        var options = app.Services.GetRequiredService<IOptions<RulesHostOptions>>().Value;

        Assert.Equal(temp.Path("site", "data", "outbox.db"), options.Outbox.Path);
        Assert.Equal(temp.Path("site", "logs", "decisions.jsonl"), options.DecisionLog.Path);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task DataDirectory_Setting_HoldsRelativePathsAndLeavesAbsoluteOnes()
    {
        using var temp = new TempFolder();
        var app = RulesHost.Build([.. Base, "--OpenEventRules:DataDirectory", temp.Path("state"),
            "--OpenEventRules:Outbox:Path", "queue/outbox.db", "--OpenEventRules:DecisionLog:Path", temp.Path("elsewhere", "d.jsonl")]);

        var options = app.Services.GetRequiredService<IOptions<RulesHostOptions>>().Value;

        Assert.Equal(temp.Path("state", "queue", "outbox.db"), options.Outbox.Path);
        Assert.Equal(temp.Path("elsewhere", "d.jsonl"), options.DecisionLog.Path);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task UnsetChannelVariable_ReportedOnPoliciesAndReadyz()
    {
        var variable = "OER_TEST_UNSET_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        using var folder = new TempFolder();
        File.Copy(Path.Combine(RunningHost.FixturePolicies, "deploy-freeze.yaml"), folder.Path("deploy-freeze.yaml"));
        folder.Write("oncall.yaml", $"apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: {{ name: oncall }}\nspec: {{ type: webhook, urlFrom: {{ env: {variable} }} }}\n");
        await using var host = await RunningHost.StartAsync(folder.Root);

        using var policies = JsonDocument.Parse(await host.Client.GetStringAsync("/policies"));
        using var ready = JsonDocument.Parse(await host.Client.GetStringAsync("/readyz"));

        var message = $"channel 'oncall' reads its URL from the environment variable {variable}, which is not set: its notifications would be dead-lettered";
        var unset = Assert.Single(policies.RootElement.GetProperty("unsetVariables").EnumerateArray());
        Assert.Equal("OER3046", unset.GetProperty("id").GetString());
        Assert.Equal("warning", unset.GetProperty("severity").GetString());
        Assert.Equal(4, unset.GetProperty("line").GetInt32());
        Assert.Equal(message, unset.GetProperty("message").GetString());
        Assert.Equal("ready", ready.RootElement.GetProperty("status").GetString());
        Assert.Equal([message], ready.RootElement.GetProperty("unsetVariables").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ProblemType_PointsAtAnAnchorTheReadmeHas()
    {
        await using var host = await RunningHost.StartAsync();

        using var response = await host.PostAsync("/events", "not json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var type = new Uri(problem.RootElement.GetProperty("type").GetString()!);
        Assert.EndsWith("/README.md", type.AbsolutePath, StringComparison.Ordinal);
        var anchors = Heading().Matches(File.ReadAllText(RepositoryPaths.Combine("README.md")))
            .Select(m => "#" + Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), @"[^a-z0-9 _-]", "").Replace(' ', '-'))
            .ToList();
        Assert.Contains(type.Fragment, anchors);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^#{1,6} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}

/// <summary>The detail settings are checked at start, each failure naming the setting and the fix.</summary>
public sealed class DetailSettingsTests
{
    [Fact]
    public async Task Start_DetailSettingsOutOfBounds_RefusedNamingEach()
    {
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
            "--OpenEventRules:Detail:Timeout", "00:00:00",
            "--OpenEventRules:Detail:MaxBytes", "10",
            "--OpenEventRules:Detail:CacheEntries", "-1"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            [
                "OpenEventRules:Detail:CacheEntries is -1: it must be between 0 and 1000000.",
                "OpenEventRules:Detail:MaxBytes is 10: it must be between 1024 and 268435456.",
                "OpenEventRules:Detail:Timeout is 00:00:00: it must be positive (e.g. 00:00:30).",
            ],
            error.Failures.Order(StringComparer.Ordinal));
        await app.DisposeAsync();
    }
}

/// <summary>The framework's log levels the host sets by default, and the configuration that overrides them.</summary>
public sealed class HostLoggingTests
{
    private static async Task<(bool Routing, bool Hosting)> LevelsAsync(params string[] settings)
    {
        await using var app = RulesHost.Build([.. HostSettingsTests.Base, .. settings]);
        var loggers = app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>();
        return (loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information),
            loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(Microsoft.Extensions.Logging.LogLevel.Critical));
    }

    [Fact]
    public async Task Build_Defaults_FrameworkAtWarningAndNoPerRequestHostingLog()
    {
        // Hosting.Diagnostics enabled at any level makes ASP.NET Core start an Activity and a log scope per request.
        Assert.Equal((false, false), await LevelsAsync());
    }

    [Fact]
    public async Task Build_LevelsInConfiguration_WinOverTheHostsDefaults()
    {
        Assert.Equal((true, false), await LevelsAsync("--Logging:LogLevel:Microsoft.AspNetCore", "Information"));
        Assert.Equal((true, false), await LevelsAsync("--Logging:LogLevel:Microsoft.AspNetCore", "2")); // a level's own number, as .NET takes it
        Assert.Equal((false, true), await LevelsAsync("--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Information"));
    }

    /// <summary>Settings whose value (or key) holds a line break and an escape sequence, or runs to 100,000 characters.</summary>
    public static TheoryData<string[], string> HostileSettings => new()
    {
        { ["--urls", "http://127.0.0.1:8o80\n\u001b[31mFORGED"], "urls 'http://127.0.0.1:8o80\\n\\u001b[31mFORGED' has no valid port" },
        { ["--urls", "http://127.0.0.1:" + new string('9', 100_000)], "urls 'http://127.0.0.1:999999999999999999999999999999999999999999999999999999999999...' has no valid port" },
        { ["--urls", "http://127.0.0.1:0", "--Kestrel:Endpoints:A\nB:Url", "http://127.0.0.1:x"], "Kestrel:Endpoints:A\\nB:Url 'http://127.0.0.1:x' has no valid port" },
        { ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warn\nFORGED"], "Logging:LogLevel:Default is 'Warn\\nFORGED', which is not a log level" },
        { ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:A\u001bB", new string('L', 100_000)], "Logging:LogLevel:A\\u001bB is 'LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL...'" },
        { ["--urls", "foo\nFORGED"], "--urls 'foo\\nFORGED' is not a URL" },
        { ["--port", "80\nFORGED"], "--port '80\\nFORGED' is not a port number" },
        { ["--urls", "http://127.0.0.1:0", "--no\nsuch", "x"], "unknown option '--no\\nsuch'" },
    };

    // A value is echoed as an excerpt: control characters escaped (a line break must not forge a second line of the
    // one-line error, an escape sequence must not reach the terminal) and cut past 80 characters (120 for a key).
    [Theory]
    [MemberData(nameof(HostileSettings))]
    public async Task RunAsync_SettingWithALineBreakOrAHugeValue_EchoedEscapedAndCutOnOneLine(string[] settings, string echoed)
    {
        using var errors = new StringWriter();

        var exitCode = await RulesHost.RunAsync(["--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies, .. settings], errors);

        Assert.Equal(2, exitCode);
        var message = errors.ToString().TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\u001b', message);
        Assert.InRange(message.Length, 1, 600);
        Assert.Contains(echoed, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Logging:LogLevel:Default", "Loud", "Logging:LogLevel:Default is 'Loud'")]
    [InlineData("--Logging:Console:LogLevel:OpenEvent.Rules", "verbose", "Logging:Console:LogLevel:OpenEvent.Rules is 'verbose'")]
    [InlineData("--Logging:LogLevel:OpenEvent.Rules", "42", "Logging:LogLevel:OpenEvent.Rules is '42'")]
    [InlineData("--Logging:LogLevel:Default", "-1", "Logging:LogLevel:Default is '-1'")]
    [InlineData("--Logging:LogLevel:Default", "Debug,Error", "Logging:LogLevel:Default is 'Debug,Error'")]
    public async Task RunAsync_LevelThatIsNotALogLevel_OneLineNamingTheKeyAndTheLevelsExit2(string key, string value, string named)
    {
        using var errors = new StringWriter();

        var exitCode = await RulesHost.RunAsync([.. HostSettingsTests.Base, key, value], errors);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            $"oer serve: invalid setting: {named}, which is not a log level: use Trace, Debug, Information, Warning, Error, Critical or None.",
            errors.ToString().Trim());
    }

    [Fact]
    public async Task Build_EmptyLevelInConfiguration_KeepsTheHostsDefaults()
    {
        // .NET ignores an empty level (an unset environment variable's usual form), so it must not drop the default either:
        // the per-request Activity would come back with nothing written.
        Assert.Equal((false, false), await LevelsAsync("--Logging:LogLevel:Microsoft.AspNetCore", "", "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", ""));
    }
}
