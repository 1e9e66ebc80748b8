using OpenEvent.Rules.Architecture.Tests.Fixtures.Cycle.Right;

namespace OpenEvent.Rules.Architecture.Tests.Fixtures.Cycle.Left;

// Half of a deliberate namespace cycle, for the checker's negative case. Left names Right only as a generic argument
// inside a lambda (compiled into a nested closure class), which the checker must still see.
internal static class Ledger
{
    public static int Count()
    {
        var count = () => new List<Entry>().Count;
        return count();
    }
}
