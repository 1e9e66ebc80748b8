namespace OpenEvent.Rules.Architecture.Tests.Fixtures.Surface.Api;

// For the public-surface checker's negative case: a namespace that is public by rule (like the condition API), whose
// type shows Surface.Shown in a signature, so Shown must stay public too.
public sealed class Exposed
{
    public Surface.Shown? Value { get; init; }
}
