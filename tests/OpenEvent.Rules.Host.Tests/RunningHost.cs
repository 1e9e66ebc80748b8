using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.Tests;

/// <summary>
/// The real host (Kestrel on a free loopback port) over a temporary copy of a policy folder, with its
/// decision log in the same temporary folder. Disposing stops the host and deletes the folder.
/// </summary>
internal sealed class RunningHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningHost(WebApplication app, string root)
    {
        _app = app;
        Root = root;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Root { get; }

    public string PoliciesPath => Path.Combine(Root, "policies");

    public string DecisionLogPath => Path.Combine(Root, "logs", "decisions.jsonl");

    public string OutboxPath => Path.Combine(Root, "data", "outbox.db");

    public IServiceProvider Services => _app.Services;

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public PolicySetState State => _app.Services.GetRequiredService<PolicySetState>();

    public DecisionLog DecisionLog => _app.Services.GetRequiredService<DecisionLog>();

    public static string FixturePolicies => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static Task<RunningHost> StartAsync(string? policiesFrom = null, params string[] settings) => StartConfiguredAsync(null, policiesFrom, settings);

    /// <summary>As <see cref="StartAsync"/>, with a hook on the builder (e.g. to capture the host's log).</summary>
    public static async Task<RunningHost> StartConfiguredAsync(Action<WebApplicationBuilder>? configure, string? policiesFrom = null, params string[] settings)
    {
        var root = Directory.CreateTempSubdirectory("oer-host-").FullName;
        CopyFolder(policiesFrom ?? FixturePolicies, Path.Combine(root, "policies"));
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--OpenEventRules:PoliciesPath", Path.Combine(root, "policies"),
            "--OpenEventRules:DecisionLog:Path", Path.Combine(root, "logs", "decisions.jsonl"),
            "--OpenEventRules:Reload:DebounceMilliseconds", "100",
            "--OpenEventRules:Outbox:Path", Path.Combine(root, "data", "outbox.db"),
        };
        args.AddRange(settings);
        var app = RulesHost.Build([.. args], configure);
        await app.StartAsync();
        return new RunningHost(app, root);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/cloudevents+json") =>
        PostAsync(path, Encoding.UTF8.GetBytes(body), contentType);

    public Task<HttpResponseMessage> PostAsync(string path, byte[] body, string? contentType = "application/cloudevents+json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return Client.PostAsync(path, content);
    }

    /// <summary>Polls until the condition holds (reloads and log writes are asynchronous); fails after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"timed out waiting for {what}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>One host shared by the tests of a class (they use distinct event ids, so they do not interfere).</summary>
public sealed class SharedHost : IAsyncLifetime
{
    internal RunningHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await RunningHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
