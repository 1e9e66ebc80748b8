using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The runtime form of a validated policy set: immutable, thread-safe, swapped as a whole on reload.
/// Evaluates raw event bytes (any accepted input shape) into decisions.
/// </summary>
public sealed class CompiledPolicySet : IDisposable
{
    private readonly IDisposable? _lifetime;

    internal CompiledPolicySet(PolicySetDefinition definition, EventParser parser, PolicyEvaluator evaluator, string revision, IDisposable? lifetime)
    {
        Definition = definition;
        Parser = parser;
        Evaluator = evaluator;
        Revision = revision;
        _lifetime = lifetime;
    }

    public PolicySetDefinition Definition { get; }

    public EventParser Parser { get; }

    public PolicyEvaluator Evaluator { get; }

    /// <summary>A content hash or git commit that identifies the policies this set was built from.</summary>
    public string Revision { get; }

    public EventCatalog Catalog => Parser.Catalog;

    /// <summary>Evaluates every event of an input (single event, batch array or JSON Lines); bad events get an error decision.</summary>
    public IEnumerable<Decision> EvaluateInput(ReadOnlyMemory<byte> input, string file)
    {
        foreach (var slice in EventInputReader.Split(input, file))
        {
            yield return EvaluateSlice(slice);
        }
    }

    public Decision EvaluateSlice(EventSlice slice)
    {
        using var e = Parser.TryParse(slice, out var error);
        return e is null ? Decision.ForError(slice.Origin, error!) : Evaluator.Evaluate(e);
    }

    public void Dispose() => _lifetime?.Dispose();
}

/// <summary>How a policy set is turned into a <see cref="CompiledPolicySet"/>.</summary>
public sealed record PolicySetCompilerOptions
{
    /// <summary>Use the reference (one policy at a time) matcher instead of the compiled one: for tests and comparisons.</summary>
    public bool UseReferenceMatcher { get; init; }

    public int MaxEventBytes { get; init; } = EventParser.DefaultMaxEventBytes;

    public EventCatalog Catalog { get; init; } = EventCatalog.Default;

    public string Revision { get; init; } = "";
}

/// <summary>Builds the runtime set from a validated definition. Used once per load or reload.</summary>
public static class PolicySetCompiler
{
    public static CompiledPolicySet Compile(PolicySetDefinition definition, PolicySetCompilerOptions? options = null)
    {
        options ??= new PolicySetCompilerOptions();
        var active = definition.Policies.Where(p => p.Mode != PolicyMode.Disabled).ToImmutableArray();
        IPolicyMatcher matcher = new ReferencePolicyMatcher(active);
        var evaluator = new PolicyEvaluator(active, matcher);
        return new CompiledPolicySet(definition, new EventParser(options.Catalog, options.MaxEventBytes), evaluator, options.Revision, lifetime: null);
    }
}
