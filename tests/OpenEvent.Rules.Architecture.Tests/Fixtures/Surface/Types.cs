namespace OpenEvent.Rules.Architecture.Tests.Fixtures.Surface;

// Shown is needed (Api.Exposed shows it); Lonely is public, but Shown names it only in an internal member, so nothing
// needs it public: the checker must name it.
public sealed class Shown
{
    internal List<Lonely> Hidden { get; } = [];
}

public sealed class Lonely;

internal sealed class AlreadyInternal;
