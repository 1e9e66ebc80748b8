using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// Runs the semantic validators (OER3001, OER3020-OER3036) over a parsed policy set. Each validator owns
/// one concern and adds every problem it finds; none stops at the first.
/// </summary>
public static class PolicySetValidator
{
    public static void Validate(PolicySetDefinition set, EventCatalog catalog, DiagnosticBag diagnostics)
    {
        // Filled in by the semantics work; until then a parsed set is accepted as is.
    }
}
