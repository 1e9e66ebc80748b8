using OpenEvent.Rules.Architecture.Tests.Fixtures.Cycle.Left;

namespace OpenEvent.Rules.Architecture.Tests.Fixtures.Cycle.Right;

// The other half of the deliberate cycle: Right names Left only through typeof in a method body.
internal sealed class Entry
{
    public static Type Owner() => typeof(Ledger);
}
