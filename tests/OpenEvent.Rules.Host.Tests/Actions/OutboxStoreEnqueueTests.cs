using System.Text.Json;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Tests.Shared;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// The idempotency contract of storing actions, on a real outbox file: a key the outbox or the dead-letter table holds is
/// not stored again and the gate is not asked about it; the gate is asked once per new key and what it refuses or
/// replaces is what is (not) stored. Each action is one insert statement that checks both tables itself.
/// </summary>
public sealed class OutboxStoreEnqueueTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly OutboxStore _store;

    public OutboxStoreEnqueueTests()
    {
        _store = new OutboxStore(_folder.Path("outbox.db"));
        _store.Initialize();
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Enqueue_KeysPendingDeliveredOrDead_AreSkippedWithoutAskingTheGate()
    {
        Assert.Equal(3, _store.Enqueue([Forward("pending"), Forward("delivered"), Forward("dead")], Now));
        var ids = _store.List(OutboxStore.Pending, 10).ToDictionary(i => i.EventId, i => i.Id);
        _store.MarkDelivered(ids["delivered"], 1, Now);
        _store.DeadLetter(ids["dead"], 3, "HTTP 500", Now);
        var asked = new List<string>();

        var stored = _store.Enqueue([Forward("pending"), Forward("delivered"), Forward("dead"), Forward("new")], Now, a =>
        {
            asked.Add(a.EventId);
            return a;
        });

        Assert.Equal(1, stored);
        Assert.Equal(["new"], asked);
        Assert.Equal((2L, 1L, 1L), _store.Counts());
    }

    [Fact]
    public void Enqueue_SameKeyTwiceInOneCall_IsStoredAndAdmittedOnce()
    {
        var asked = 0;

        var stored = _store.EnqueueAll([[Forward("twice")], [Forward("twice")]], Now, a =>
        {
            asked++;
            return a;
        });

        Assert.Equal([1, 0], stored);
        Assert.Equal(1, asked);
        Assert.Single(_store.List(null, 10));
    }

    [Fact]
    public void Enqueue_GateRefusesOrReplaces_WhatItAdmittedIsStoredAndARefusedKeyIsAskedAgainLater()
    {
        NewAction? Gate(NewAction a) => a.EventId switch
        {
            "held" => null,
            "counted" => a with { Payload = ((NotifyPayload)a.Payload) with { Suppressed = 3 } },
            _ => a,
        };

        var stored = _store.Enqueue([Notify("held"), Notify("counted"), Notify("plain")], Now, Gate);

        Assert.Equal(2, stored);
        var items = _store.List(OutboxStore.Pending, 10).ToDictionary(i => i.EventId);
        Assert.Equal(["counted", "plain"], items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, JsonDocument.Parse(items["counted"].Payload).RootElement.GetProperty("suppressed").GetInt64());
        Assert.False(JsonDocument.Parse(items["plain"].Payload).RootElement.TryGetProperty("suppressed", out _));
        // A notification held back was never stored: the same event delivered again is asked about again.
        var asked = new List<string>();
        Assert.Equal(1, _store.Enqueue([Notify("held"), Notify("counted")], Now, a =>
        {
            asked.Add(a.EventId);
            return a;
        }));
        Assert.Equal(["held"], asked);
        Assert.Equal((3L, 0L, 0L), _store.Counts());
    }

    private static NewAction Forward(string eventId) =>
        new($"{eventId}/p/0/forward:audit", eventId, "dataworks:FileChange:DeployFile", "p", "forward", "audit",
            new ForwardPayload("http", "audit", new PayloadValue("http://127.0.0.1:9/audit", null), null, null), "{\"id\":\"e\"}"u8.ToArray());

    private static NewAction Notify(string eventId) =>
        new($"{eventId}/p/0/notify:hook", eventId, "dataworks:FileChange:DeployFile", "p", "notify", "hook",
            new NotifyPayload("webhook", "hook", new PayloadValue("http://127.0.0.1:9/hook", null), null, null, "m"));
}
