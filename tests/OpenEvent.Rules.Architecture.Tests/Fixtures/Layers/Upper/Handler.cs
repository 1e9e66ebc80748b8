namespace OpenEvent.Rules.Architecture.Tests.Fixtures.Layers.Upper;

// A layer that builds on Layers.Lower; the negative case has Lower reach up into it.
internal sealed class Handler
{
    public string Name { get; } = "handler";
}
