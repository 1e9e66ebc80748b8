using OpenEvent.Rules.Architecture.Tests.Fixtures.Layers.Upper;

namespace OpenEvent.Rules.Architecture.Tests.Fixtures.Layers.Lower;

// A lower layer that names an upper one (a wrong direction, not a cycle): the direction check must report it.
internal static class Store
{
    public static string Describe(Handler handler) => handler.Name;
}
