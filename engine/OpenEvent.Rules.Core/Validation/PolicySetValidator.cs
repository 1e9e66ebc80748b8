using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// Runs the semantic validators (OER3001, OER3020-OER3033, OER3050-OER3061, OER3100, OER3105) over a parsed policy set. Each validator owns
/// one concern and adds every problem it finds; none stops at the first. Disabled policies are validated too:
/// enabling one later must not surprise anybody.
/// </summary>
internal static class PolicySetValidator
{
    public static void Validate(PolicySetDefinition set, EventCatalog catalog, DiagnosticBag diagnostics)
    {
        var context = new ValidationContext(set, catalog, diagnostics);
        new NameValidator().Validate(context);
        new EventTypeValidator().Validate(context);
        new FieldValidator().Validate(context);
        new ScopeValidator().Validate(context);
        new StagingValidator().Validate(context);
        new ActionValidator().Validate(context);
        new TemplateValidator().Validate(context);
        new RegistryValidator().Validate(context);
        new NumericTextValidator().Validate(context);
        new DetailValidator().Validate(context);
        new WaiverValidator().Validate(context);
    }
}
