using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// Runs the semantic validators (OER3001, OER3020-OER3033, OER3050-OER3066, OER3100, OER3105) over a parsed policy set. Each validator owns
/// one concern and adds every problem it finds; none stops at the first. Disabled policies are validated too:
/// enabling one later must not surprise anybody.
/// </summary>
internal static class PolicySetValidator
{
    /// <summary>From this many policies on, the field checks run on another core (below it, a thread costs more than it saves).</summary>
    internal const int ParallelThreshold = 64;

    public static void Validate(PolicySetDefinition set, EventCatalog catalog, DiagnosticBag diagnostics)
    {
        if (set.Policies.Length < ParallelThreshold)
        {
            InOrder(new ValidationContext(set, catalog, diagnostics));
            return;
        }

        // The field checks are the largest part of a big set's validation. They run on another core with a context of
        // their own (the contexts' caches are not thread-safe, so none is shared); the bags are then added in the
        // order above, so the diagnostics are exactly those of one thread.
        var fieldDiagnostics = new DiagnosticBag();
        var fields = Task.Run(() => new FieldValidator().Validate(new ValidationContext(set, catalog, fieldDiagnostics)));
        var head = new DiagnosticBag();
        var tail = new DiagnosticBag();
        try
        {
            var headContext = new ValidationContext(set, catalog, head);
            Head(headContext);
            Tail(headContext.WithDiagnostics(tail));
        }
        finally
        {
            // Also when this thread's checks threw: the other one is not left running against the set.
            Task.WaitAny(fields);
            diagnostics.AddRange(head.Items);
            diagnostics.AddRange(fieldDiagnostics.Items);
            diagnostics.AddRange(tail.Items);
        }

        fields.GetAwaiter().GetResult(); // its exception, if any, as one thread would have thrown it
    }

    /// <summary>Every validator in turn on this thread: what a small set runs, and what a big set's result must equal.</summary>
    internal static void InOrder(ValidationContext context)
    {
        Head(context);
        new FieldValidator().Validate(context);
        Tail(context);
    }

    private static void Head(ValidationContext context)
    {
        new NameValidator().Validate(context);
        new EventTypeValidator().Validate(context);
    }

    private static void Tail(ValidationContext context)
    {
        new ScopeValidator().Validate(context);
        new StagingValidator().Validate(context);
        new ActionValidator().Validate(context);
        new TemplateValidator().Validate(context);
        new RegistryValidator().Validate(context);
        new DocumentedValueValidator().Validate(context);
        new DetailValidator().Validate(context);
        new WaiverValidator().Validate(context);
    }
}
