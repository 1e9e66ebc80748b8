namespace OpenEvent.Rules.Model;

/// <summary>
/// The stable diagnostic ids. OER1xxx: files, YAML and schema; OER2xxx: C# conditions; OER3xxx: semantics
/// (patterns, catalog, actions); OER4xxx: policy test files (*.tests.yaml). Ids are never reused or renumbered: CI annotations and docs link to them.
/// policy-guide.md documents every id listed in <see cref="All"/>; a test keeps the two in step.
/// </summary>
public static class DiagnosticIds
{
    // Files and YAML
    public const string YamlSyntax = "OER1001";
    public const string EmptyFile = "OER1002";
    public const string NotUtf8 = "OER1003";
    public const string FileTooLarge = "OER1004";
    public const string NestingTooDeep = "OER1005";
    public const string TabIndentation = "OER1006";
    public const string DuplicateKey = "OER1007";
    public const string AliasLimit = "OER1008";
    public const string UnreadablePath = "OER1009";

    // Schema
    public const string UnknownKind = "OER1010";
    public const string UnknownKey = "OER1011";
    public const string WrongType = "OER1012";
    public const string MissingKey = "OER1013";
    public const string InvalidValue = "OER1014";
    public const string InvalidName = "OER1015";

    // The policy folder's guards (issue 10): nothing in the folder can stop or wedge the host
    /// <summary>A FIFO, device or socket where a policy file is expected: it is never opened (a FIFO would block the read, a device never end).</summary>
    public const string NotRegularFile = "OER1016";

    /// <summary>A symbolic link (to a file or a folder) whose target is outside the policy folder: not followed, its content never echoed.</summary>
    public const string LinkOutsideFolder = "OER1017";

    /// <summary>Loading failed with an unexpected error (an engine fault, not a policy mistake); the previous set keeps serving.</summary>
    public const string LoadFailed = "OER1018";

    /// <summary>A reload took longer than OpenEventRules:Reload:TimeoutSeconds and was abandoned; the previous set keeps serving.</summary>
    public const string ReloadTimedOut = "OER1019";

    /// <summary>The set references of one pattern expand to more than <c>NamedSetExpander.MaxExpandedValues</c> values.</summary>
    public const string SetExpansionLimit = "OER1022";

    /// <summary>The host found no policy file in its folder: it would let every operation through; the previous set keeps serving.</summary>
    public const string NoPolicyFiles = "OER1023";

    /// <summary>A load gave more than <c>PolicyFolderLoader.MaxDiagnostics</c> diagnostics: the rest are counted, not listed.</summary>
    public const string TooManyDiagnostics = "OER1024";

    // The registry (issue 13): workspaces, tenants, named sets and time windows, read with the policies
    /// <summary>A time window's date, time or day cannot be read (e.g. "Fryday 18:00", "2024-13-01", a local time skipped by a clock change).</summary>
    public const string WindowTimeSyntax = "OER1020";

    /// <summary>A time window names a time zone the system does not know (IANA ids such as Asia/Shanghai).</summary>
    public const string UnknownTimeZone = "OER1021";

    // C# conditions (issue 4); docs/conditions.md explains each with its fix
    /// <summary>The C# compiler rejected the expression (unknown name, wrong argument, ...).</summary>
    public const string ConditionCompile = "OER2001";

    /// <summary>The expression uses a type or member outside the condition allow-list (IO, reflection, ...).</summary>
    public const string ConditionForbiddenApi = "OER2002";

    /// <summary>The text is not one C# expression (statements, trailing text, unbalanced brackets).</summary>
    public const string ConditionNotExpression = "OER2003";

    /// <summary>The expression's type is not bool.</summary>
    public const string ConditionNotBoolean = "OER2004";

    /// <summary>A forbidden language construct: block lambda, assignment, unsafe code, preprocessor directive, ...</summary>
    public const string ConditionForbiddenConstruct = "OER2005";

    /// <summary>The expression is longer than the limit (4,000 characters).</summary>
    public const string ConditionTooLong = "OER2006";

    /// <summary>A constant argument is invalid: regex pattern, time-zone id or date that can never work.</summary>
    public const string ConditionInvalidArgument = "OER2007";

    /// <summary>The expression exceeds a size or nesting limit that keeps its compile time bounded (nested lambdas, interpolations, anonymous objects, depth).</summary>
    public const string ConditionTooComplex = "OER2008";

    /// <summary>Compiling the conditions took longer than the compile timeout; the set was not loaded.</summary>
    public const string ConditionCompileTimeout = "OER2009";

    /// <summary>A construct whose evaluation cost could not be bounded (a self-nesting accumulator, text of a composite value, a runaway format, ...).</summary>
    public const string ConditionUnbounded = "OER2010";

    // Set-level semantics
    public const string DuplicateName = "OER3001";

    // Patterns
    public const string UnknownOperator = "OER3010";
    public const string MalformedNumeric = "OER3011";
    public const string BadCidr = "OER3012";
    public const string EmptyAnythingBut = "OER3013";
    public const string OrTooFewBranches = "OER3014";
    public const string LeafNotArray = "OER3015";
    public const string BadOperatorValue = "OER3016";
    public const string ContradictoryRange = "OER3017";
    public const string BadWildcard = "OER3018";
    public const string EmptyPattern = "OER3019";

    // Catalog
    public const string UnknownEventType = "OER3020";
    public const string UndocumentedField = "OER3021";
    public const string OperatorFieldTypeMismatch = "OER3022";
    public const string NoDataWorksEvents = "OER3023";
    public const string UnknownScopeValue = "OER3024";

    /// <summary>A pattern's top-level key that no DataWorks event carries (tyep:, dat:, a payload field, a spec key under match): the pattern could never match.</summary>
    public const string UnknownAttribute = "OER3025";

    // Actions, channels, targets, templates
    public const string BlockOnRegularEvents = "OER3030";
    public const string UndeclaredChannel = "OER3031";
    public const string UndeclaredTarget = "OER3032";
    public const string UnknownPlaceholder = "OER3033";
    public const string TemplateSyntax = "OER3034";
    public const string InlineSecret = "OER3035";
    public const string NoActions = "OER3036";

    // EventBridge fidelity (issue 19)
    /// <summary>An operator keyword (prefix, numeric, ...) used as a field name inside a '$or' branch; EventBridge refuses it.</summary>
    public const string OperatorAsFieldName = "OER3037";

    /// <summary>A warning: one entry of a value list can never match the field's documented type; the other entries still match.</summary>
    public const string ListEntryNeverMatches = "OER3038";

    /// <summary>A channel or target reads one of the host's own credentials (ALIBABA_CLOUD_*, OpenEventRules__*) from the environment.</summary>
    public const string HostCredentialVariable = "OER3039";

    // The registry (issue 13): references from policies, and the registry's own consistency
    /// <summary>A { set: name } (pattern, scope) or e.InSet("name", ...) (condition) names a set the registry does not declare.</summary>
    public const string UnknownSet = "OER3050";

    /// <summary>A scope names a workspace (by name) the registry does not declare.</summary>
    public const string UnknownWorkspace = "OER3051";

    /// <summary>A scope, a selector or a registry workspace names a tenant the registry does not declare.</summary>
    public const string UnknownTenant = "OER3052";

    /// <summary>A scope names a time window the registry does not declare.</summary>
    public const string UnknownWindow = "OER3053";

    /// <summary>A warning: a workspace selector (labels, environment, tenant, region) selects no registered workspace.</summary>
    public const string SelectorSelectsNothing = "OER3054";

    /// <summary>Two registry entries of one kind share an id or a name (workspace, tenant, set, window).</summary>
    public const string DuplicateRegistryEntry = "OER3055";

    /// <summary>A workspace or an account id is declared in two tenants.</summary>
    public const string TwoTenants = "OER3056";

    /// <summary>A time window that is empty (it ends before it starts) or covers the whole week.</summary>
    public const string EmptyWindow = "OER3057";

    /// <summary>A warning: the windows of an exclusion cover every window of the scope, so the policy never applies.</summary>
    public const string WindowsCancelOut = "OER3058";

    /// <summary>A warning: a workspace label that no policy uses (selectors, conditions).</summary>
    public const string UnusedLabel = "OER3059";

    /// <summary>e.InSet's set name is not written as a string literal, so it cannot be checked when the set is loaded.</summary>
    public const string SetNameNotLiteral = "OER3060";

    /// <summary>A warning: numeric on a field DataWorks documents as a number that may arrive as text; numeric-string compares both.</summary>
    public const string NumericOnTextField = "OER3061";

    /// <summary>An integer on an "integer or string" field written as text only ("10001234" without 10001234).</summary>
    public const string IntegerInOneForm = "OER3063";

    /// <summary>An exact value on a field whose schema lists its values (an enum), and not among them.</summary>
    public const string UndocumentedValue = "OER3064";

    /// <summary>A warning: exists on a field documented as an object or an array of objects, where it sees no leaf value (exists: false always holds, exists: true never).</summary>
    public const string ExistsOnContainer = "OER3065";

    /// <summary>A warning: an instance status pattern's status list treats 0 and 1 apart, though both mean "not run" (docs 1, DataWorks' example code 0).</summary>
    public const string NotRunStatusAlias = "OER3066";

    /// <summary>A file target's path is absolute, climbs out with '..', or holds a backslash or control character: file targets write only below the host's Actions:File:Directory.</summary>
    public const string FileTargetPathOutside = "OER3062";

    // The event's detail (issue 14: GetIDEEventDetail)
    /// <summary>A policy reads the detail (pattern, exclusion, template or condition) but matches event types that have none.</summary>
    public const string DetailOnTypeWithoutDetail = "OER3070";

    /// <summary>A detail path (pattern or template) that the detail of the matched types does not have: a misspelt field.</summary>
    public const string UnknownDetailField = "OER3071";

    /// <summary>detail written where it cannot be read: inside a '$or' branch, or as a list instead of a pattern object.</summary>
    public const string MisplacedDetail = "OER3072";

    /// <summary>A warning: spec.detailErrors on a policy that never reads the detail, so it never applies.</summary>
    public const string DetailErrorsWithoutDetail = "OER3073";

    // The environment the set is loaded in (oer validate --env, the host at each load)
    /// <summary>A channel or target reads its URL, secret or a header from an environment variable that is not set.</summary>
    public const string UnsetEnvironmentVariable = "OER3046";

    // Static analysis of the whole set (oer analyze, also run by oer validate); Analysis/PolicySetAnalyzer
    /// <summary>A warning: the policy's clauses contradict each other (e.g. exists: false and a value on one field), so it never matches.</summary>
    public const string NeverMatches = "OER3090";

    /// <summary>A warning: an exclusion covers every event the policy's match and scope select, so the policy never applies.</summary>
    public const string ExclusionCoversMatch = "OER3091";

    /// <summary>A warning: every event the policy matches, a policy evaluated before it matches with the same actions.</summary>
    public const string ShadowedPolicy = "OER3092";

    /// <summary>A warning: two enforced policies match a common event (the witness, verified) and one blocks while the other warns.</summary>
    public const string ConflictingPolicies = "OER3093";

    // Staged enforcement (spec.enforceIn); Validation/StagingValidator
    /// <summary>spec.enforceIn on a policy whose mode is not enforce: an error in mode audit, a warning in mode disabled.</summary>
    public const string EnforceInWithoutEnforce = "OER3110";

    /// <summary>A warning: enforceIn keeps no event of the policy's scope (no value in common, or a selector that selects nothing), so the policy never enforces.</summary>
    public const string EnforceInSelectsNothing = "OER3111";

    /// <summary>A warning: a value of enforceIn is outside the policy's scope, where the policy never applies.</summary>
    public const string EnforceInOutsideScope = "OER3112";

    /// <summary>A warning: enforceIn keeps every event of the policy's scope (or is empty), so nothing is staged.</summary>
    public const string EnforceInCoversScope = "OER3113";

    // Waivers (kind: Waiver): exceptions with an owner, a ticket and an end; Parsing/WaiverParser, Validation/WaiverValidator, Validation/WaiverReview
    /// <summary>A waiver names a policy the set does not have (waivers name policies exactly: no patterns).</summary>
    public const string UnknownWaivedPolicy = "OER3100";

    /// <summary>A warning: a waiver expires within the review period (14 days by default), so its owner should renew or close it.</summary>
    public const string WaiverExpiresSoon = "OER3101";

    /// <summary>A warning (an error with --strict): a waiver has expired and no longer applies; it should be removed.</summary>
    public const string WaiverExpired = "OER3102";

    /// <summary>A waiver without an owner, a ticket, a reason or an expiry: an exception nobody answers for, or that never ends.</summary>
    public const string WaiverIncomplete = "OER3103";

    /// <summary>A waiver's expiry is not a date (2026-12-31) or a date and time with an offset (2026-12-31T18:00:00+08:00).</summary>
    public const string WaiverExpiryFormat = "OER3104";

    /// <summary>A warning: a waiver names a policy it cannot relax (the policy neither blocks nor warns, or is not enforced).</summary>
    public const string WaiverRelaxesNothing = "OER3105";

    // The cost budget (oer analyze, also run by oer validate); Analysis/PolicyCostModel prices, Analysis/CostBudgetCheck checks
    /// <summary>A policy costs more matcher work per event than the budget's maxPolicyCost; the hint names what makes it expensive.</summary>
    public const string PolicyOverCostBudget = "OER3120";

    /// <summary>The whole set costs more matcher work per event than the budget's maxSetCost; the hint names the dearest policies.</summary>
    public const string SetOverCostBudget = "OER3121";

    /// <summary>A second kind: Budget document: a set has one budget, so which one applies would depend on file order.</summary>
    public const string DuplicateCostBudget = "OER3122";

    // Policy test files (oer test); policy-guide.md explains each with its fix
    /// <summary>A test names a policy the policy set does not have (spec.policies, matched, notMatched, matchedExactly, actions[].policy).</summary>
    public const string UnknownTestPolicy = "OER4001";

    /// <summary>A case's event file does not exist or cannot be read.</summary>
    public const string TestEventNotFound = "OER4002";

    /// <summary>A case's event is not one valid CloudEvent (bad JSON, not an object, a batch, missing type, ...), before or after its patch.</summary>
    public const string InvalidTestEvent = "OER4003";

    /// <summary>Two cases of one test document, or two test documents, have the same name.</summary>
    public const string DuplicateTestName = "OER4004";

    /// <summary>A document in a *.tests.yaml file is not a PolicyTest.</summary>
    public const string NotATestDocument = "OER4005";

    /// <summary>A PolicyTest document in a policy file (a name not ending in .tests.yaml): oer test would never run it.</summary>
    public const string TestOutsideTestFile = "OER4006";
}
