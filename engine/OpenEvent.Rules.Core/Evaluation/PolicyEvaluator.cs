using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Evaluation;

/// <summary>How a <see cref="PolicyEvaluator"/> handles the event's detail.</summary>
internal sealed record PolicyEvaluatorOptions
{
    /// <summary>Builds the matcher of the detail patterns (by id); null: the reference matcher.</summary>
    public Func<ImmutableArray<Model.Patterns.PatternObject>, IDetailPatternMatcher>? DetailMatcher { get; init; }

    /// <summary>The verdict an extension point event gets at least when a policy with <c>detailErrors: fail-mode</c> could not have the detail.</summary>
    public Verdict DetailFailMode { get; init; } = Verdict.Warn;

    /// <summary>The registry whose named sets conditions read (<c>e.InSet</c>); its sets are built once, with the evaluator.</summary>
    public RegistryDefinition? Registry { get; init; }

    /// <summary>The waivers that relax enforced blocks and warns until they expire (by the evaluator's clock).</summary>
    public ImmutableArray<WaiverDefinition> Waivers { get; init; } = [];
}

/// <summary>
/// Turns the policies that apply to an event into a <see cref="Decision"/>: runs conditions (a throwing
/// condition is recorded, and the policy follows its conditionErrors setting), renders actions, orders
/// matches by priority (higher first, then file and line), separates audit-mode matches, marks the matches a waiver
/// relaxes (<see cref="WaiverSet"/>), and derives the verdict from the others.
/// Immutable and thread-safe: one instance serves every event of a policy set.
/// </summary>
public sealed class PolicyEvaluator
{
    private readonly ImmutableArray<PolicyDefinition> _policies;
    private readonly IPolicyMatcher _matcher;
    private readonly IConditionSet? _conditions;
    private readonly int[] _conditionIndex;
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _sets;

    [ThreadStatic]
    private static List<int>? t_matches;

    private readonly DetailPlan?[] _detailPlans;
    private readonly IDetailPatternMatcher _detailMatcher;
    private readonly Verdict _detailFailMode;
    private readonly PolicyStages? _stages;
    private readonly WaiverSet _waivers;

    /// <param name="policies">The evaluated (non-disabled) policies, in the order the matcher indexes them.</param>
    /// <param name="matcher">Matches the policies as <see cref="DetailClauses.WithoutDetail"/> gives them (for policies without a detail pattern, as they are).</param>
    /// <param name="conditions">The compiled conditions, keyed by policy name; null when no policy has one.</param>
    public PolicyEvaluator(ImmutableArray<PolicyDefinition> policies, IPolicyMatcher matcher, IConditionSet? conditions = null, TimeProvider? time = null)
        : this(policies, matcher, conditions, time, null)
    {
    }

    /// <param name="options">How the detail is matched, the verdict of <c>detailErrors: fail-mode</c>, and the registry whose named sets conditions read.</param>
    internal PolicyEvaluator(ImmutableArray<PolicyDefinition> policies, IPolicyMatcher matcher, IConditionSet? conditions, TimeProvider? time,
        PolicyEvaluatorOptions? options)
    {
        _policies = policies;
        _matcher = matcher;
        _conditions = conditions;
        _time = time ?? TimeProvider.System;
        _sets = (options?.Registry ?? RegistryDefinition.Empty).Sets
            .DistinctBy(s => s.Name, StringComparer.Ordinal)
            .ToFrozenDictionary(s => s.Name, IReadOnlySet<string> (s) => s.Texts.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);
        _conditionIndex = [.. policies.Select(p => p.Condition is null || conditions is null ? -1 : conditions.IndexOf(p.Name))];
        if (_conditionIndex.Where((index, i) => index < 0 && policies[i].Condition is not null).Any())
        {
            throw new ArgumentException("every policy with a condition needs its compiled condition", nameof(conditions));
        }

        var (plans, patterns) = DetailPlan.Build(policies);
        _detailPlans = plans;
        _detailMatcher = options?.DetailMatcher?.Invoke(patterns) ?? new ReferenceDetailPatternMatcher(patterns);
        _detailFailMode = options?.DetailFailMode ?? Verdict.Warn;
        _waivers = options is null || options.Waivers.IsDefaultOrEmpty ? WaiverSet.Empty : new WaiverSet(options.Waivers);
        ReadsDetail = plans.Any(p => p is not null);
        _stages = PolicyStages.Build(policies);
    }

    public ImmutableArray<PolicyDefinition> Policies => _policies;

    /// <summary>Whether some policy reads the event's detail (only then can an evaluation ask for it).</summary>
    public bool ReadsDetail { get; }

    /// <summary>
    /// Evaluates <paramref name="e"/> without its detail: a policy that reads the detail and matched everything else
    /// follows its <c>detailErrors</c> (no detail was supplied). See <see cref="EvaluateAsync"/>.
    /// </summary>
    public Decision Evaluate(DataWorksEvent e, CancellationToken cancellationToken = default) => Evaluate(e, null, cancellationToken);

    /// <summary>
    /// Evaluates <paramref name="e"/> with its detail known up front (<paramref name="detail"/> null: none supplied).
    /// Conditions run within the limits of the compiled set; a condition that throws or goes over its budget is recorded
    /// on the decision and its policy follows <c>conditionErrors</c>. Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled (the caller left).
    /// </summary>
    internal Decision Evaluate(DataWorksEvent e, EventDetailResult? detail, CancellationToken cancellationToken)
    {
        var state = Begin(e, cancellationToken);
        return Finish(e, state, state.Pending is null ? null : detail ?? EventDetailResult.NotSupplied, cancellationToken);
    }

    /// <summary>
    /// Evaluates <paramref name="e"/>, asking <paramref name="details"/> for its detail only when a policy that reads
    /// it matched everything else (its match and exclusions without the detail, its scope, and a condition that does
    /// not read the detail), and then once. An event no such policy reaches costs what <see cref="Evaluate(DataWorksEvent, CancellationToken)"/> costs.
    /// </summary>
    public async ValueTask<Decision> EvaluateAsync(DataWorksEvent e, IEventDetailSource? details, CancellationToken cancellationToken = default)
    {
        var state = Begin(e, cancellationToken);
        EventDetailResult? detail = null;
        if (state.Pending is not null)
        {
            detail = details is null ? EventDetailResult.NotSupplied : await details.GetAsync(e, cancellationToken).ConfigureAwait(false);
        }

        return Finish(e, state, detail, cancellationToken);
    }

    private sealed class EvaluationState
    {
        // Created when first needed: most events match no policy, and three builders (with their arrays) per event were a
        // fifth of what an evaluation allocated (bench/README.md, item 3).
        private ImmutableArray<PolicyMatch>.Builder? _enforced;
        private ImmutableArray<PolicyMatch>.Builder? _audited;
        private ImmutableArray<ConditionFailure>.Builder? _failures;

        public ImmutableArray<PolicyMatch>.Builder Enforced => _enforced ??= ImmutableArray.CreateBuilder<PolicyMatch>();

        public ImmutableArray<PolicyMatch>.Builder Audited => _audited ??= ImmutableArray.CreateBuilder<PolicyMatch>();

        public ImmutableArray<ConditionFailure>.Builder Failures => _failures ??= ImmutableArray.CreateBuilder<ConditionFailure>();

        /// <summary>The enforced matches by priority (empty without creating a builder when there are none).</summary>
        public ImmutableArray<PolicyMatch> EnforcedByPriority() => Sorted(_enforced);

        public ImmutableArray<PolicyMatch> AuditedByPriority() => Sorted(_audited);

        public ImmutableArray<ConditionFailure> FailuresSoFar() => _failures?.ToImmutable() ?? [];

        private static ImmutableArray<PolicyMatch> Sorted(ImmutableArray<PolicyMatch>.Builder? matches)
        {
            if (matches is null)
            {
                return [];
            }

            matches.Sort(ByPriority);
            return matches.ToImmutable();
        }

        /// <summary>
        /// Policies that matched everything but the detail, and whether their condition still has to run (it reached
        /// for the detail); null when there are none.
        /// </summary>
        public List<(int Index, bool ConditionPending)>? Pending { get; set; }

        /// <summary>The stages of the staged policies (spec.enforceIn), and the scope they are decided on; null when none is staged.</summary>
        public (PolicyStages Stages, EventScope Scope)? Staging { get; init; }
    }

    // The first stage: every clause that does not read the detail. A condition that may read it runs once without it:
    // false there (or true without reaching for it) is final; reaching for it puts it off until the detail is known.
    private EvaluationState Begin(DataWorksEvent e, CancellationToken cancellationToken)
    {
        var matches = t_matches ??= new List<int>(16);
        matches.Clear();
        _matcher.Match(e, matches);

        var state = new EvaluationState { Staging = _stages is null ? null : (_stages, e.Scope) };
        foreach (var index in matches)
        {
            var policy = _policies[index];
            if (_detailPlans[index] is { } plan)
            {
                BeginReadingDetail(state, index, policy, plan, e, cancellationToken);
            }
            else if (PassesCondition(index, policy, e, default, state.Failures, cancellationToken))
            {
                Add(state, policy, Render(policy, e, default));
            }
        }

        return state;
    }

    // A policy with detail clauses: decided now when its condition says no (or decides without the detail and nothing
    // else reads it), else pending until the detail is known.
    private void BeginReadingDetail(EvaluationState state, int index, PolicyDefinition policy, DetailPlan plan, DataWorksEvent e, CancellationToken cancellationToken)
    {
        var conditionPending = false;
        if (plan.ConditionReads && _conditionIndex[index] >= 0 && policy.Condition is { } condition)
        {
            if (!ProbeWithoutDetail(index, policy.Name, condition, e, state.Failures, cancellationToken, out conditionPending))
            {
                return;
            }
        }
        else if (!PassesCondition(index, policy, e, default, state.Failures, cancellationToken))
        {
            return;
        }

        if (!conditionPending && !plan.ReadsBeyondCondition)
        {
            // The condition decided without the detail, and nothing else reads it.
            Add(state, policy, Render(policy, e, default));
            return;
        }

        (state.Pending ??= []).Add((index, conditionPending));
    }

    // Runs a condition that may read the detail on the event alone. False: the policy is out (the condition said no, or
    // failed and conditionErrors says no-match). Pending: it reached for the detail and runs again once it is known.
    private bool ProbeWithoutDetail(int index, string policy, ConditionDefinition condition, DataWorksEvent e,
        ImmutableArray<ConditionFailure>.Builder failures, CancellationToken cancellationToken, out bool pending)
    {
        pending = false;
        var probe = new ConditionEvent(e.Root, ToScopeValues(e.Scope), _time, default, _sets) { DetailPending = true };
        if (_conditions!.TryEvaluate(_conditionIndex[index], probe, cancellationToken, out var result, out var error))
        {
            return result;
        }

        if (error is DetailPendingException)
        {
            pending = true;
            return true;
        }

        // The condition failed on the event alone: recorded once, and conditionErrors decides now.
        var matched = condition.OnError == ConditionErrorMode.Match;
        failures.Add(new ConditionFailure(policy, condition.Location, $"{error!.GetType().Name}: {error.Message}", matched));
        return matched;
    }

    // The second stage: the detail clauses of the pending policies, then the decision.
    private Decision Finish(DataWorksEvent e, EvaluationState state, EventDetailResult? detail, CancellationToken cancellationToken)
    {
        var (detailFailures, failMode) = state.Pending is { } pending && detail is not null
            ? MatchDetailClauses(e, state, pending, detail, cancellationToken)
            : (ImmutableArray<DetailFailure>.Empty, false);

        // Waivers last: they relax what matched, never what matches.
        var matched = _waivers.Apply(state.EnforcedByPriority(), e, _time);
        // A policy that could not have the detail it needed answers with the fail mode at least.
        Verdict? verdict = e.IsExtensionPoint ? VerdictOf(matched) : null;
        if (failMode && _detailFailMode > verdict)
        {
            verdict = _detailFailMode;
        }

        return new Decision(
            new EventDescriptor(e.Id, e.Type, e.Origin.File, e.Origin.Index),
            verdict,
            matched,
            state.AuditedByPriority(),
            state.FailuresSoFar(),
            Error: null)
        {
            Detail = detail is null ? null : new DetailReport(detail.Source, detail.Error, detail.FromCache),
            DetailFailures = detailFailures,
            Scope = e.Scope,
        };
    }

    // The pending policies against the detail (or, when it could not be had, as each policy's detailErrors says); whether
    // one of them asks for the fail mode.
    private (ImmutableArray<DetailFailure> Failures, bool FailMode) MatchDetailClauses(
        DataWorksEvent e, EvaluationState state, List<(int Index, bool ConditionPending)> pending, EventDetailResult detail, CancellationToken cancellationToken)
    {
        var failures = ImmutableArray.CreateBuilder<DetailFailure>();
        var failMode = false;
        using var context = new DetailContext(detail.Detail, _detailMatcher);
        foreach (var (index, conditionPending) in pending)
        {
            var policy = _policies[index];
            var plan = _detailPlans[index]!;
            if (detail.Detail is null)
            {
                failures.Add(new DetailFailure(policy.Name, policy.Location, detail.Error ?? "no detail", policy.DetailErrors));
                failMode |= policy.DetailErrors == DetailErrorMode.FailMode;
                if (policy.DetailErrors == DetailErrorMode.Match)
                {
                    // As if the detail clauses held: the detail patterns, exclusions and a condition that reads it.
                    Add(state, policy, Render(policy, e, default));
                }

                continue;
            }

            if ((plan.MatchPattern >= 0 && !context.Matches(plan.MatchPattern))
                || plan.Exclusions.Any(x => IsExcluded(x, e, context))
                || (conditionPending && !PassesCondition(index, policy, e, context.Root, state.Failures, cancellationToken)))
            {
                continue;
            }

            Add(state, policy, Render(policy, e, context.Root));
        }

        return (failures.ToImmutable(), failMode);
    }

    private static void Add(EvaluationState state, PolicyDefinition policy, ImmutableArray<ActionOutcome> actions)
    {
        var stage = state.Staging is { } staging ? staging.Stages.Find(policy, staging.Scope) : null;
        var mode = PolicyStages.ModeOf(policy, stage);
        var match = new PolicyMatch(policy.Name, mode, policy.Priority, policy.Location, actions) { Stage = stage };
        (mode == PolicyMode.Audit ? state.Audited : state.Enforced).Add(match);
    }

    private static bool IsExcluded(DetailExclusion exclusion, DataWorksEvent e, DetailContext context) =>
        (exclusion.EventPart is null || ReferencePatternEvaluator.Matches(exclusion.EventPart, e.Root))
        && ScopeFilter.Matches(exclusion.Exclusion.Scope, e.Scope)
        && context.Matches(exclusion.DetailPattern);

    /// <summary>The detail of one evaluation: which detail patterns it matches (computed once) and its parsed document (parsed once, when needed).</summary>
    private sealed class DetailContext(EventDetail? detail, IDetailPatternMatcher matcher) : IDisposable
    {
        private JsonDocument? _document;
        private List<int>? _matched;

        /// <summary>The wrapped document's root (<c>{"detail": ...}</c>); undefined without a detail.</summary>
        public JsonElement Root => detail is null ? default : (_document ??= detail.Parse()).RootElement;

        public bool Matches(int pattern)
        {
            if (_matched is null)
            {
                _matched = [];
                if (detail is not null)
                {
                    matcher.Match(detail, _document?.RootElement, _matched);
                }
            }

            return _matched.BinarySearch(pattern) >= 0;
        }

        public void Dispose() => _document?.Dispose();
    }

    private bool PassesCondition(int index, PolicyDefinition policy, DataWorksEvent e, JsonElement detail, ImmutableArray<ConditionFailure>.Builder failures, CancellationToken cancellationToken)
    {
        var conditionIndex = _conditionIndex[index];
        if (conditionIndex < 0 || policy.Condition is null)
        {
            return true;
        }

        var view = new ConditionEvent(e.Root, ToScopeValues(e.Scope), _time, detail, _sets);
        var outcome = _conditions!.Evaluate(conditionIndex, view, policy.Condition.OnError, cancellationToken);
        if (outcome.Error is { } error)
        {
            // A broken condition must not stop the other policies; what it means for this one is the author's call.
            failures.Add(new ConditionFailure(policy.Name, policy.Condition.Location, $"{error.GetType().Name}: {error.Message}", outcome.Matched));
        }

        return outcome.Matched;
    }

    private static ScopeValues ToScopeValues(EventScope scope) =>
        new(scope.Tenant ?? "", scope.Workspace ?? "", scope.Region ?? "", scope.Environment ?? "", scope.Operator ?? "")
        {
            TenantName = scope.TenantName ?? "",
            WorkspaceName = scope.WorkspaceName ?? "",
            Labels = scope.Labels.IsDefault ? [] : scope.Labels,
            Owners = scope.Owners.IsDefault ? [] : scope.Owners,
        };

    private static ImmutableArray<ActionOutcome> Render(PolicyDefinition policy, DataWorksEvent e, JsonElement detail)
    {
        var outcomes = ImmutableArray.CreateBuilder<ActionOutcome>(policy.Actions.Length);
        foreach (var action in policy.Actions)
        {
            outcomes.Add(action switch
            {
                BlockAction block => new BlockOutcome(TemplateRenderer.Render(block.Reason, e, policy, detail)),
                WarnAction warn => new WarnOutcome(TemplateRenderer.Render(warn.Reason, e, policy, detail)),
                NotifyAction notify => new NotifyOutcome(notify.Channel, TemplateRenderer.Render(notify.Message, e, policy, detail)),
                ForwardAction forward => new ForwardOutcome(forward.Target),
                _ => throw new InvalidOperationException($"unknown action {action.Kind}"),
            });
        }

        return outcomes.MoveToImmutable();
    }

    private static Verdict VerdictOf(ImmutableArray<PolicyMatch> enforced)
    {
        var verdict = Verdict.Ok;
        foreach (var match in enforced)
        {
            if (match.Waiver is not null)
            {
                continue;
            }

            foreach (var action in match.Actions)
            {
                if (action is BlockOutcome)
                {
                    return Verdict.Fail;
                }

                if (action is WarnOutcome)
                {
                    verdict = Verdict.Warn;
                }
            }
        }

        return verdict;
    }

    private static int ByPriority(PolicyMatch a, PolicyMatch b)
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byFile = string.CompareOrdinal(a.Location.File, b.Location.File);
        return byFile != 0 ? byFile : a.Location.Line.CompareTo(b.Location.Line);
    }
}
