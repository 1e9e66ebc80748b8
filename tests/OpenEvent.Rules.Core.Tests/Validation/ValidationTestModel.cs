using System.Collections.Immutable;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Core.Tests.Validation;

/// <summary>
/// Builds authored models in code, as the YAML reader would, so the validators can be tested without it.
/// Every node gets an explicit line and column, so tests can assert exact locations.
/// </summary>
internal static partial class M
{
    public const string TestFile = "policies/test.yaml";

    public const string Deploy = "dataworks:FileChange:DeployFile";
    public const string Commit = "dataworks:FileChange:CommitFile";
    public const string CommitTable = "dataworks:TableChange:CommitTable";
    public const string StartDi = "dataworks:NodeChange:StartDiJob";
    public const string UnFreeze = "dataworks:NodeChange:UnFreezeNode";
    public const string NodeDeleted = "dataworks:NodeChange:NodeChangeDeleted";
    public const string InstanceStatus = "dataworks:InstanceStatusChanges:InstanceStatusChanges";
    public const string Download = "dataworks:ResourcesDownload:DownloadResources";

    private static readonly Lazy<EventCatalog> s_catalog = new(() => EventCatalog.Load(name =>
        System.IO.File.ReadAllText(RepositoryPaths.Combine("tests", "OpenEvent.Rules.Core.Tests", "Validation", "catalog-fixture", name))));

    /// <summary>The test catalog (Validation/catalog-fixture).</summary>
    public static EventCatalog TestCatalog => s_catalog.Value;

    public static SourceLocation L(int line, int column, string file = TestFile) => new(file, line, column);

    // Matchers
    public static ExactMatcher Exact(string value, int line = 1, int column = 1) => new(Scalar.FromString(value), L(line, column));

    public static ExactMatcher Number(string literal, int line = 1, int column = 1)
    {
        Assert.True(JsonNumber.TryParse(literal, out var number));
        return new ExactMatcher(Scalar.FromNumber(number, literal), L(line, column));
    }

    public static ExactMatcher Null(int line = 1, int column = 1) => new(Scalar.Null, L(line, column));

    public static PrefixMatcher Prefix(string value, int line = 1, int column = 1, bool ignoreCase = false) => new(value, ignoreCase, L(line, column));

    public static SuffixMatcher Suffix(string value, int line = 1, int column = 1, bool ignoreCase = false) => new(value, ignoreCase, L(line, column));

    public static ContainsMatcher Contains(string value, int line = 1, int column = 1) => new(value, L(line, column));

    public static EqualsIgnoreCaseMatcher IgnoreCase(string value, int line = 1, int column = 1) => new(value, L(line, column));

    public static WildcardMatcher Wildcard(string pattern, int line = 1, int column = 1) => new(pattern, L(line, column));

    public static AnythingButMatcher AnythingBut(int line, int column, params Matcher[] excluded) => new([.. excluded], L(line, column));

    public static ExistsMatcher Exists(bool exists, int line = 1, int column = 1) => new(exists, L(line, column));

    public static CidrMatcher Cidr(string text, int line = 1, int column = 1) => new(text, System.Net.IPNetwork.Parse(text), L(line, column));

    public static NumericMatcher Numeric(int line, int column, params (NumericOperator Op, decimal Value)[] comparisons) =>
        new([.. comparisons.Select(c => new NumericComparison(c.Op, JsonNumber.FromDecimal(c.Value)))], L(line, column));

    /// <summary>numeric-string with the comparisons of <see cref="Numeric"/>.</summary>
    public static NumericStringMatcher NumericString(int line, int column, params (NumericOperator Op, decimal Value)[] comparisons) =>
        Numeric(line, column, comparisons) is var numeric ? new NumericStringMatcher(numeric.Comparisons, numeric.Location) : null!;

    // Pattern members
    public static LeafMember Leaf(string name, int line, int column, params Matcher[] matchers) => new(name, [.. matchers], L(line, column));

    public static LeafMember Leaf(string name, params Matcher[] matchers) => Leaf(name, 1, 1, matchers);

    public static NestedMember Nested(string name, int line, int column, params PatternMember[] members) =>
        new(name, new PatternObject([.. members], L(line, column)), L(line, column));

    public static NestedMember Data(params PatternMember[] members) => Nested("data", 1, 1, members);

    public static OrMember Or(params PatternObject[] branches) => new([.. branches], L(1, 1));

    public static PatternObject Pattern(params PatternMember[] members) => new([.. members], L(1, 1));

    public static PatternObject Types(params string[] types) => Pattern(Leaf("type", [.. types.Select(t => Exact(t))]));

    // Scope
    public static ScopeDefinition Scope(string[]? tenants = null, string[]? workspaces = null, string[]? regions = null,
        string[]? environments = null, string[]? operators = null, int line = 1, int column = 1) =>
        new([.. tenants ?? []], [.. workspaces ?? []], [.. regions ?? []], [.. environments ?? []], [.. operators ?? []], L(line, column));

    /// <summary>A scope whose values sit at the given locations (as the parser records them).</summary>
    public static ScopeDefinition WithLocations(this ScopeDefinition scope, string key, params (int Line, int Column)[] locations) =>
        scope with { ValueLocations = scope.ValueLocations.SetItem(key, [.. locations.Select(l => L(l.Line, l.Column))]) };

    // Actions and templates
    public static NotifyAction Notify(string channel = "log", string message = "matched", int line = 1, int column = 1) =>
        new(channel, Template(message, line, column), L(line, column));

    public static ForwardAction Forward(string target, int line = 1, int column = 1) => new(target, L(line, column));

    public static BlockAction Block(string reason = "blocked", int line = 1, int column = 1) => new(Template(reason, line, column), L(line, column));

    public static WarnAction Warn(string reason = "careful", int line = 1, int column = 1) => new(Template(reason, line, column), L(line, column));

    /// <summary>Splits a template like the template parser does; a placeholder sits at the column of its "{{".</summary>
    public static MessageTemplate Template(string text, int line = 1, int column = 1)
    {
        var parts = ImmutableArray.CreateBuilder<TemplatePart>();
        var last = 0;
        foreach (Match match in PlaceholderRegex().Matches(text))
        {
            if (match.Index > last)
            {
                parts.Add(new LiteralPart(text[last..match.Index]));
            }

            var path = match.Groups[1].Value;
            parts.Add(new PlaceholderPart(path, [.. path.Split('.')], L(line, column + match.Index)));
            last = match.Index + match.Length;
        }

        if (last < text.Length)
        {
            parts.Add(new LiteralPart(text[last..]));
        }

        return new MessageTemplate(text, parts.ToImmutable(), L(line, column));
    }

    [GeneratedRegex(@"\{\{\s*([^}\s]*)\s*\}\}")]
    private static partial Regex PlaceholderRegex();

    // Policies, channels, targets
    public static PolicyDefinition Policy(string name, PatternObject match, ScopeDefinition? scope = null,
        ExclusionDefinition[]? exclude = null, ActionDefinition[]? actions = null, PolicyMode mode = PolicyMode.Enforce,
        int line = 3, int column = 9, string file = TestFile) =>
        new(name, new PolicyMetadata(null, null, ImmutableSortedDictionary<string, string>.Empty), mode, 0, match, scope,
            [.. exclude ?? []], null, [.. actions ?? [Notify()]], L(line, column, file));

    public static ExclusionDefinition Exclusion(PatternObject? match = null, ScopeDefinition? scope = null) => new(match, scope, L(1, 1));

    public static ChannelDefinition Channel(string name, int line = 3, int column = 9, string file = TestFile) =>
        new(name, ChannelType.Webhook, new ConfigValue(null, new SecretReference("HOOK_URL", L(line + 3, column))), null,
            ImmutableSortedDictionary<string, ConfigValue>.Empty, L(line, column, file));

    public static TargetDefinition Target(string name, int line = 3, int column = 9, string file = TestFile) =>
        new(name, TargetType.File, null, "out/events.jsonl", ImmutableSortedDictionary<string, ConfigValue>.Empty, L(line, column, file));

    public static PolicySetDefinition Set(params PolicyDefinition[] policies) => new([.. policies], [], []);

    /// <summary>Runs every semantic validator on <paramref name="set"/> with the test catalog.</summary>
    public static IReadOnlyList<Diagnostic> Validate(PolicySetDefinition set)
    {
        var diagnostics = new DiagnosticBag();
        PolicySetValidator.Validate(set, TestCatalog, diagnostics);
        return diagnostics.Items;
    }

    public static IReadOnlyList<Diagnostic> Validate(params PolicyDefinition[] policies) => Validate(Set(policies));

    /// <summary>The diagnostics with the given id only, so a test about one concern is not coupled to the others.</summary>
    public static IReadOnlyList<Diagnostic> WithId(this IReadOnlyList<Diagnostic> diagnostics, string id) =>
        diagnostics.Where(d => d.Id == id).ToList();

    public static void AssertDiagnostic(Diagnostic actual, string id, DiagnosticSeverity severity, int line, int column, string message)
    {
        Assert.Equal(id, actual.Id);
        Assert.Equal(severity, actual.Severity);
        Assert.Equal(L(line, column), actual.Location);
        Assert.Equal(message, actual.Message);
        Assert.False(string.IsNullOrWhiteSpace(actual.Hint));
    }
}
