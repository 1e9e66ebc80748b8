using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Testing;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>How the policy tests of one policy went: its cases (in test files naming it in spec.policies) and how many tests matched it.</summary>
internal sealed record PolicyTestCounts(int Cases, int Passed, int Failed, int Errors, int MatchingCases);

/// <summary>The outcome of the policy folder's tests (*.tests.yaml) against one revision of the set.</summary>
internal sealed record TestStatus(string Revision, int Files, int Passed, int Failed, int Errors, ImmutableDictionary<string, PolicyTestCounts> Policies, string? Problem);

/// <summary>
/// The Policies page's test column: the folder's <c>*.tests.yaml</c> run as <c>oer test</c> runs them, once per revision
/// of the set in service (on the first request for it, in the background: the page asks again until it is done).
/// Nothing is performed: tests evaluate events, they never send.
/// </summary>
internal sealed class PolicyTestStatus(IOptions<RulesHostOptions> options, IConditionCompiler conditions, TimeProvider time)
{
    private readonly Lock _lock = new();
    private (string Revision, Task<TestStatus> Run)? _last;

    /// <summary>The status for the revision of <paramref name="lease"/>: null while it runs.</summary>
    public TestStatus? For(LoadedPolicySet lease)
    {
        Task<TestStatus> run;
        lock (_lock)
        {
            if (_last is not { } last || last.Revision != lease.Revision)
            {
                var set = lease.Snapshot.Set;
                var revision = lease.Revision;
                _last = (revision, Task.Run(() => RunAsync(set, revision)));
            }

            run = _last.Value.Run;
        }

#pragma warning disable RS0030 // read only once completed: Result does not block here
        return run.IsCompleted ? run.Result : null;
#pragma warning restore RS0030
    }

    private async Task<TestStatus> RunAsync(Model.PolicySetDefinition set, string revision)
    {
        try
        {
            var tests = await PolicyTestLoader.LoadAsync([options.Value.PoliciesPath]);
            if (tests.Tests.IsEmpty)
            {
                return new TestStatus(revision, tests.Files.Length, 0, 0, 0, ImmutableDictionary<string, PolicyTestCounts>.Empty, null);
            }

            var run = PolicyTestRunner.Run(set, tests.Tests, new PolicySetCompilerOptions
            {
                ConditionCompiler = conditions,
                MaxEventBytes = options.Value.Limits.MaxEventBytes,
                Time = time,
            });
            return new TestStatus(revision, tests.Files.Length, run.Passed, run.Failed, run.Errors, ByPolicy(tests.Tests, run), null);
        }
        catch (Exception ex) when (ex is PolicyCompilationException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new TestStatus(revision, 0, 0, 0, 0, ImmutableDictionary<string, PolicyTestCounts>.Empty, $"the tests could not run: {ex.Message}");
        }
    }

    private static ImmutableDictionary<string, PolicyTestCounts> ByPolicy(IReadOnlyList<Model.PolicyTestDefinition> tests, PolicyTestRun run)
    {
        var counts = run.Coverage.Policies.ToDictionary(p => p.Policy, p => new PolicyTestCounts(0, 0, 0, 0, p.MatchingCases), StringComparer.Ordinal);
        // The runner reports one suite per test document, in the order given.
        foreach (var (test, suite) in tests.Zip(run.Suites))
        {
            foreach (var name in test.Policies.Select(p => p.Name))
            {
                var current = counts.GetValueOrDefault(name) ?? new PolicyTestCounts(0, 0, 0, 0, 0);
                counts[name] = current with
                {
                    Cases = current.Cases + suite.Cases.Length,
                    Passed = current.Passed + suite.Cases.Count(c => c.Outcome == TestOutcome.Passed),
                    Failed = current.Failed + suite.Cases.Count(c => c.Outcome == TestOutcome.Failed),
                    Errors = current.Errors + suite.Cases.Count(c => c.Outcome == TestOutcome.Error) + (suite.Errors.IsEmpty ? 0 : 1),
                };
            }
        }

        return counts.ToImmutableDictionary(StringComparer.Ordinal);
    }
}
