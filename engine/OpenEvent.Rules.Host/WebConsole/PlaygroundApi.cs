using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Ingestion;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The Playground: GET /console/api/samples (the sample events) and /console/api/samples/{name}; POST
/// /console/api/playground with {"event": "...", "file": "...", "yaml": "..."} answers the diagnostics of the policy set
/// with that file's text replaced by the YAML (nothing is written), and, when the set is valid and an event is given,
/// the decision (the <c>oer dry-run --format json</c> shape) and its explanation. Nothing is performed: no action is
/// stored, no decision logged. One edited set is compiled at a time; a caller that leaves cancels its work.
/// </summary>
internal static class PlaygroundApi
{
    /// <summary>Largest request body: an event at the event limit plus a policy file at the file limit would be too much to compile per keystroke.</summary>
    public const int MaxYamlBytes = 1024 * 1024;

    public static void Map(WebApplication app)
    {
        app.MapGet("/console/api/samples", () => Results.Json(ConsoleAssets.SampleNames));
        app.MapGet("/console/api/samples/{name}", (string name) => ConsoleAssets.Sample(name) is { } bytes
            ? Results.Bytes(bytes, "application/json; charset=utf-8")
            : Results.NotFound());
        app.MapPost("/console/api/playground", RunAsync);
    }

    private sealed record PlaygroundRequest(string? Event, string? File, string? Yaml);

    private static async Task RunAsync(HttpContext context, PolicySetState state, PolicySetFactory factory, PlaygroundCompiles compiles, IOptions<RulesHostOptions> options)
    {
        var limits = options.Value.Limits;
        using var body = await ConsoleEndpoints.ReadJsonAsync(context.Request, limits.MaxEventBytes + MaxYamlBytes + 4096, context.RequestAborted);
        if (body is null || Parse(body.RootElement) is not { } request)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "bad-request",
                $"send a JSON object {{\"event\": \"...\", \"file\": \"...\", \"yaml\": \"...\"}} (strings; the yaml at most {MaxYamlBytes} bytes)");
            return;
        }

        var lease = state.Acquire();
        if (lease is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "not-ready", "the policy set is not loaded yet");
            return;
        }

        try
        {
            if (request.Yaml is null)
            {
                await AnswerAsync(context, lease.Compiled, [], request.Event, options.Value);
                return;
            }

            if (!lease.Snapshot.Files.Contains(request.File ?? "", StringComparer.Ordinal))
            {
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "unknown-file", "name the file of the policy set in service that the YAML replaces");
                return;
            }

            await EditedAsync(context, factory, compiles.Gate, request, options.Value);
        }
        finally
        {
            lease.Release();
        }
    }

    private static PlaygroundRequest? Parse(JsonElement root)
    {
        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var yaml = Text("yaml");
        return yaml is not null && Encoding.UTF8.GetByteCount(yaml) > MaxYamlBytes ? null : new PlaygroundRequest(Text("event"), Text("file"), yaml);
    }

    /// <summary>Loads the folder with the edited file in place of its text on disk, compiles it if valid, and answers.</summary>
    private static async Task EditedAsync(HttpContext context, PolicySetFactory factory, SemaphoreSlim compiling, PlaygroundRequest request, RulesHostOptions options)
    {
        var cancellationToken = context.RequestAborted;
        if (!await compiling.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken))
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "busy", "another playground set is being compiled; try again");
            return;
        }

        try
        {
            var replaced = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [request.File!] = Encoding.UTF8.GetBytes(request.Yaml!) };
            var load = await PolicyFolderLoader.LoadReplacingAsync([options.PoliciesPath], EventCatalog.Default, replaced, cancellationToken);
            var snapshot = new PolicySnapshot(load.Set, [.. load.Diagnostics], [.. load.Files], "playground");
            if (snapshot.HasErrors)
            {
                var conditions = factory.CheckConditions(snapshot, cancellationToken);
                await AnswerAsync(context, null, PolicyFolderLoader.InFileOrder([.. snapshot.Diagnostics, .. conditions], snapshot.Files), request.Event, options);
                return;
            }

            CompiledPolicySet compiled;
            try
            {
                compiled = factory.Compile(snapshot);
            }
            catch (PolicyCompilationException ex)
            {
                await AnswerAsync(context, null, PolicyFolderLoader.InFileOrder([.. snapshot.Diagnostics, .. ex.Diagnostics], snapshot.Files), request.Event, options);
                return;
            }

            using (compiled)
            {
                await AnswerAsync(context, compiled, snapshot.Diagnostics, request.Event, options);
            }
        }
        finally
        {
            compiling.Release();
        }
    }

    /// <summary>The diagnostics, then (with a compiled set and an event) the decision and the explanation, or why the event was refused.</summary>
    private static Task AnswerAsync(HttpContext context, CompiledPolicySet? compiled, IReadOnlyList<Diagnostic> diagnostics, string? eventText, RulesHostOptions options) =>
        ConsoleEndpoints.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            ConsoleExplainer.WriteDiagnostics(json, "diagnostics", diagnostics);
            if (compiled is not null && !string.IsNullOrWhiteSpace(eventText))
            {
                WriteEvaluation(json, compiled, Encoding.UTF8.GetBytes(eventText), options.Limits.MaxEventBytes, context.RequestAborted);
            }

            json.WriteEndObject();
        });

    private static void WriteEvaluation(Utf8JsonWriter json, CompiledPolicySet compiled, byte[] bytes, int maxEventBytes, CancellationToken cancellationToken)
    {
        if (bytes.Length > maxEventBytes)
        {
            WriteEventError(json, "too-large", $"the event is larger than {maxEventBytes} bytes (OpenEventRules:Limits:MaxEventBytes)");
            return;
        }

        using var e = compiled.TryRead(EventInputReader.Single(bytes, "playground").First(), out var error);
        if (e is null && error is { } refused)
        {
            WriteEventError(json, refused.Id, refused.Message);
            return;
        }

        var decision = compiled.Evaluator.Evaluate(e!, cancellationToken);
        json.WritePropertyName("decision");
        DecisionJson.Write(json, decision);
        // The event is the caller's own: its values are shown unmasked.
        ConsoleExplainer.Write(json, compiled, e!, decision, masked: null);
    }

    private static void WriteEventError(Utf8JsonWriter json, string id, string message)
    {
        json.WriteStartObject("eventError");
        json.WriteString("id", id);
        json.WriteString("message", message);
        json.WriteEndObject();
    }
}

/// <summary>One edited playground set compiles at a time per host: compiling is the expensive part (Roslyn, for the conditions).</summary>
internal sealed class PlaygroundCompiles : IDisposable
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public void Dispose() => Gate.Dispose();
}
