using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The Overview page (GET /console/api/overview: the set in service, the last reload error, decisions by verdict, the
/// top policies, the outbox) and the Policies page (GET /console/api/policies, and a policy file's text from
/// GET /console/api/source?file=, for the files of the set only).
/// </summary>
internal static class OverviewApi
{
    /// <summary>The policy loader's own cap on a policy file (10 MB): a file the set was loaded from is never larger.</summary>
    private const long MaxSourceBytes = 10 * 1024 * 1024;

    public static void Map(WebApplication app)
    {
        app.MapGet("/console/api/overview", Overview);
        app.MapGet("/console/api/policies", Policies);
        app.MapGet("/console/api/source", SourceAsync);
    }

    private static async Task Overview(HttpContext context, PolicySetState state, DecisionFeed feed, ConsoleOutbox outbox, IOptions<RulesHostOptions> options, TimeProvider time)
    {
        var counts = await OutboxCountsAsync(outbox, context.RequestAborted);
        await ConsoleEndpoints.WriteJsonAsync(context, json =>
        {
            var now = time.GetUtcNow();
            json.WriteStartObject();
            WriteSet(json, state, options.Value);
            json.WriteNumber("decisions", feed.Total);
            WriteVerdicts(json, "lastHour", feed.Verdicts(now, 60, 1));
            WriteVerdicts(json, "lastDay", feed.Verdicts(now, 24, 60));
            json.WriteStartArray("topPolicies");
            foreach (var (policy, (matched, audit)) in feed.Hits().OrderByDescending(h => h.Value.Matched + h.Value.Audit).ThenBy(h => h.Key, StringComparer.Ordinal).Take(10))
            {
                json.WriteStartObject();
                json.WriteString("policy", policy);
                json.WriteNumber("matched", matched);
                json.WriteNumber("audit", audit);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteOutbox(json, outbox, counts);
            json.WriteEndObject();
        });
    }

    /// <summary>The outbox's counts, or why they cannot be had (the broker is down, the file is locked).</summary>
    private static async Task<(OutboxCounts? Counts, string? Error)> OutboxCountsAsync(ConsoleOutbox outbox, CancellationToken cancellationToken)
    {
        if (outbox.Unavailable is { } why)
        {
            return (null, why);
        }

        try
        {
            return (await outbox.CountsAsync(cancellationToken), null);
        }
        catch (IOException ex)
        {
            return (null, Observability.SecretRedactor.Redact(ex.Message));
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            return (null, Observability.SecretRedactor.Redact(ex.Message));
        }
    }

    private static void WriteSet(Utf8JsonWriter json, PolicySetState state, RulesHostOptions options)
    {
        var current = state.Current;
        json.WriteString("source", options.PoliciesPath);
        json.WriteString("revision", current?.Revision);
        json.WriteString("loadedAt", current?.LoadedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("policies", current?.Snapshot.Set.Policies.Length ?? 0);
        json.WriteNumber("files", current?.Snapshot.Files.Length ?? 0);
        if (state.LastFailure is { } failure)
        {
            json.WriteStartObject("lastReloadError");
            json.WriteString("at", failure.At);
            json.WriteString("summary", failure.Summary);
            ConsoleExplainer.WriteDiagnostics(json, "diagnostics", failure.Diagnostics);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("lastReloadError");
        }
    }

    private static void WriteVerdicts(Utf8JsonWriter json, string name, IReadOnlyList<VerdictCounts> buckets)
    {
        json.WriteStartArray(name);
        foreach (var counts in buckets)
        {
            json.WriteStartObject();
            json.WriteNumber("ok", counts.Ok);
            json.WriteNumber("warn", counts.Warn);
            json.WriteNumber("fail", counts.Fail);
            json.WriteNumber("none", counts.None);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteOutbox(Utf8JsonWriter json, ConsoleOutbox outbox, (OutboxCounts? Counts, string? Error) state)
    {
        json.WriteStartObject("outbox");
        json.WriteString("mode", outbox.Mode);
        if (state.Counts is { } counts)
        {
            json.WriteNumber("pending", counts.Pending);
            if (counts.Delivered is { } delivered)
            {
                json.WriteNumber("delivered", delivered);
            }

            json.WriteNumber("dead", counts.Dead);
        }
        else
        {
            json.WriteString("error", state.Error);
        }

        json.WriteEndObject();
    }

    private static Task Policies(HttpContext context, PolicySetState state, DecisionFeed feed, PolicyTestStatus tests) =>
        ConsoleEndpoints.WriteJsonAsync(context, json =>
        {
            var lease = state.Acquire();
            try
            {
                json.WriteStartObject();
                json.WriteString("revision", lease?.Revision);
                var status = lease is null ? null : tests.For(lease);
                WriteTests(json, status, lease is not null);
                json.WriteStartArray("policies");
                var hits = feed.Hits();
                foreach (var policy in lease?.Snapshot.Set.Policies ?? [])
                {
                    WritePolicy(json, policy, hits.GetValueOrDefault(policy.Name), status?.Policies.GetValueOrDefault(policy.Name));
                }

                json.WriteEndArray();
                json.WriteStartArray("files");
                foreach (var file in lease?.Snapshot.Files ?? [])
                {
                    json.WriteStringValue(file);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }
            finally
            {
                lease?.Release();
            }
        });

    private static void WriteTests(Utf8JsonWriter json, TestStatus? status, bool loaded)
    {
        json.WriteStartObject("tests");
        json.WriteString("state", !loaded ? "no-set" : status is null ? "running" : status.Problem is not null ? "error" : "done");
        if (status is not null)
        {
            json.WriteNumber("files", status.Files);
            json.WriteNumber("passed", status.Passed);
            json.WriteNumber("failed", status.Failed);
            json.WriteNumber("errors", status.Errors);
            json.WriteString("problem", status.Problem);
        }

        json.WriteEndObject();
    }

    private static void WritePolicy(Utf8JsonWriter json, PolicyDefinition policy, (long Matched, long Audit) hits, PolicyTestCounts? tests)
    {
        json.WriteStartObject();
        json.WriteString("name", policy.Name);
        json.WriteString("description", policy.Metadata.Description);
        json.WriteString("owner", policy.Metadata.Owner);
        json.WriteString("mode", policy.Mode.ToString().ToLowerInvariant());
        json.WriteNumber("priority", policy.Priority);
        json.WriteString("file", policy.Location.File);
        json.WriteNumber("line", policy.Location.Line);
        json.WriteStartObject("scope");
        if (policy.Scope is { } scope)
        {
            WriteList(json, "tenants", scope.Tenants);
            WriteList(json, "workspaces", scope.Workspaces);
            WriteList(json, "regions", scope.Regions);
            WriteList(json, "environments", scope.Environments);
            WriteList(json, "operators", scope.Operators);
        }

        json.WriteEndObject();
        // Exclusions are the policy's standing waivers: each names where it is written.
        WriteList(json, "exclusions", policy.Exclude.Select(x => x.Location.ToString()));
        json.WriteBoolean("hasCondition", policy.Condition is not null);
        WriteList(json, "actions", policy.Actions.Select(a => a.GetType().Name.Replace("Action", "", StringComparison.Ordinal).ToLowerInvariant()));
        json.WriteNumber("matched", hits.Matched);
        json.WriteNumber("audit", hits.Audit);
        if (tests is not null)
        {
            json.WriteStartObject("tests");
            json.WriteNumber("cases", tests.Cases);
            json.WriteNumber("passed", tests.Passed);
            json.WriteNumber("failed", tests.Failed);
            json.WriteNumber("errors", tests.Errors);
            json.WriteNumber("matchingCases", tests.MatchingCases);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// The text of one file of the set in service, as on disk now (read with the loader's guards: a regular file inside
    /// the policy folder, at most the policy file size limit). Only a file the set was loaded from can be named.
    /// </summary>
    private static async Task SourceAsync(HttpContext context, string? file, PolicySetState state, IOptions<RulesHostOptions> options)
    {
        // Optional in the route, so that a request without it gets this problem body rather than the framework's empty 400.
        if (string.IsNullOrEmpty(file))
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "missing-file", "name a file of the policy set in service: ?file=<path>");
            return;
        }

        if (state.Current is not { } current || !current.Snapshot.Files.Contains(file, StringComparer.Ordinal))
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "unknown-file", "name a file of the policy set in service");
            return;
        }

        var folder = Directory.Exists(options.Value.PoliciesPath) ? FileProbe.RealPath(options.Value.PoliciesPath) : null;
        var read = BoundedFileReader.Read(Path.GetFullPath(file), MaxSourceBytes, folder);
        if (read.Status != FileReadStatus.Read)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "unreadable-file", $"{file} cannot be read now ({read.Status})");
            return;
        }

        await ConsoleEndpoints.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("file", file);
            json.WriteString("text", Encoding.UTF8.GetString(read.Bytes));
            json.WriteEndObject();
        });
    }
}
