using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Ingestion;

public sealed class HostLoadTests
{
    [Fact]
    public async Task PostEvents_TenThousandConcurrentEventsFromSeveralClients_AllEvaluatedAndLogged()
    {
        await using var host = await RunningHost.StartAsync();
        const int clients = 8;
        const int perClient = 1250;

        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            for (var i = 0; i < perClient; i++)
            {
                var body = HostEndpointTests.DeployEvent($"load-{c}-{i}", i % 2 == 0 ? "dws_orders" : "ods_orders");
                using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/cloudevents+json");
                using var response = await client.PostAsync("/events", content);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));

        Assert.Equal(0, failures);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.DecisionLog.Written >= clients * perClient), "every decision to be written", 120);
        var ids = new HashSet<string>();
        var fails = 0;
        foreach (var line in File.ReadLines(host.DecisionLogPath))
        {
            var entry = JsonDocument.Parse(line).RootElement;
            ids.Add(entry.GetProperty("eventId").GetString()!);
            if (entry.GetProperty("verdict").GetString() == "FAIL")
            {
                fails++;
            }
        }

        Assert.Equal(clients * perClient, ids.Count);
        Assert.Equal(clients * perClient / 2, fails);
    }
}
