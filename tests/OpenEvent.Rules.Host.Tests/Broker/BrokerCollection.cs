namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>The collection's node: started once for every broker test (a start takes seconds), deleted after the last.</summary>
public sealed class SharedRabbitNode : IAsyncLifetime
{
    public RabbitNode Node { get; } = new();

    public Task InitializeAsync() => Node.InitializeAsync();

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>The broker tests share one node; they run one after the other, each on queues of its own.</summary>
[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<SharedRabbitNode>
{
    public const string Name = "broker";
}
