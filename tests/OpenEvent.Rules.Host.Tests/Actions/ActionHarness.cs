using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenEvent.Rules.Host.Actions;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// A host over a policy folder written by the test, with the outbox tuned for tests (short polls and backoff) and
/// DataWorks answered at a stand-in. The AccessKey variables have unique names, so parallel tests do not share them.
/// </summary>
internal static class ActionHarness
{
    public const string ExtensionCode = "ext-test-code";

    public static readonly string[] FastOutbox =
    [
        "--OpenEventRules:Outbox:PollInterval", "00:00:00.050",
        "--OpenEventRules:Outbox:InitialBackoff", "00:00:00.050",
        "--OpenEventRules:Outbox:MaxBackoff", "00:00:00.200",
        "--OpenEventRules:Outbox:MaxAttempts", "4",
        "--OpenEventRules:Actions:Timeout", "00:00:01",
        "--OpenEventRules:Outbox:LeaseDuration", "00:00:02",
    ];

    /// <summary>Sets a uniquely named environment variable and returns its name.</summary>
    public static string Env(string prefix, string value)
    {
        var name = $"OER_TEST_{prefix}_{Guid.NewGuid():N}".ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }

    /// <summary>Settings that answer DataWorks at <paramref name="dataWorks"/> with the stand-in's AccessKey.</summary>
    public static string[] DataWorksSettings(StandInServer dataWorks, string accessKeyId, string secret) =>
    [
        "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
        "--OpenEventRules:DataWorks:Endpoint", dataWorks.BaseAddress.ToString(),
        "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", accessKeyId),
        "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", secret),
    ];

    public static async Task<RunningHost> StartAsync(string policies, params string[] settings)
    {
        using var folder = new TempFolder();
        folder.Write("policies.yaml", policies);
        return await RunningHost.StartAsync(folder.Root, [.. FastOutbox, .. settings]);
    }

    public static OutboxStore Outbox(this RunningHost host) => host.Services.GetRequiredService<OutboxStore>();

    /// <summary>Waits until nothing is pending in the outbox (every action delivered or dead-lettered).</summary>
    public static Task WaitForIdleAsync(this RunningHost host, string what) =>
        RunningHost.WaitUntilAsync(() => Task.FromResult(host.Outbox().Counts().Pending == 0), what);

    public static Task WaitUntilAsync(Func<bool> condition, string what) => RunningHost.WaitUntilAsync(() => Task.FromResult(condition()), what);

    public static string Sample(string name, string id)
    {
        var text = File.ReadAllText(RepositoryPaths.Combine("samples", "events", name));
        return text.Replace(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!, id);
    }

    public static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];
}
