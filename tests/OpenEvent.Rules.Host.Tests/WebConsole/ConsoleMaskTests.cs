using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Host.Tests.WebConsole;

/// <summary>
/// DecisionLog:Mask hides a field's value from the decision log and the console. A condition that throws may quote
/// what it read in its exception's message (int.Parse quotes its input): the console's explain view shows only the
/// exception's type then, so a masked value cannot come back that way.
/// </summary>
public sealed class ConsoleMaskTests
{
    private const string Secret = "api_key='AKIA-SECRET-123'";

    [Fact]
    public async Task Explain_ConditionThatQuotesAMaskedValueInItsError_ShowsOnlyTheExceptionType()
    {
        var policies = Directory.CreateTempSubdirectory("oer-mask-").FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "parse-sql.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: parse-sql }
            spec:
              match:
                type: ["dataworks:ResourcesDownload:DownloadResources"]
              condition: int.Parse(e.Data.Str("sqlText", "")) > 5
              actions:
                - notify: { channel: log, message: "parsed" }
            """);
        await using var host = await RunningHost.StartAsync(policies);
        Directory.Delete(policies, recursive: true); // the host works on its own copy
        var sample = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryPaths.Combine("samples", "events", "ResourcesDownload-DownloadResources.json")))!;
        sample["id"] = "mask-" + Guid.NewGuid().ToString("N")[..8];
        sample["data"]!["sqlText"] = "select password_hash from users where " + Secret;
        sample["data"]!["bigId"] = JsonNode.Parse("9007199254740993");

        using var posted = await host.PostAsync("/events", sample.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        using var list = JsonDocument.Parse(await host.Client.GetStringAsync("/console/api/decisions"));
        var sequence = list.RootElement.GetProperty("decisions").EnumerateArray().Single().GetProperty("sequence").GetInt64();
        var detail = await host.Client.GetStringAsync($"/console/api/decisions/{sequence}");

        Assert.DoesNotContain("AKIA-SECRET", detail, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(detail);
        // The event as text, masked too, its numbers as written (JSON.parse in the page rounded ids past 2^53).
        var eventText = json.RootElement.GetProperty("eventText").GetString()!;
        Assert.DoesNotContain("AKIA-SECRET", eventText, StringComparison.Ordinal);
        Assert.Contains("\"bigId\": 9007199254740993", eventText, StringComparison.Ordinal);
        var policy = json.RootElement.GetProperty("explain").GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("policy").GetString() == "parse-sql");
        Assert.Equal("FormatException (its message is not shown: this host masks event values)", policy.GetProperty("conditionError").GetString());
        Assert.EndsWith("threw FormatException (its message is not shown: this host masks event values)", policy.GetProperty("firstFailure").GetString(), StringComparison.Ordinal);
    }
}
