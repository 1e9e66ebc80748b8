using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>
/// Conditions that try to exhaust the host rather than escape it: overflow the stack, allocate gigabytes, spin the
/// CPU, or take minutes to compile. Each either is refused when the set is loaded (a diagnostic id) or, admitted,
/// stops at the budget it runs out of (a <see cref="ConditionResource"/>). Every one runs in the test process
/// itself, in bounded time: the proof that none of them can abort or wedge a process.
/// </summary>
public static class ExhaustionCases
{
    /// <summary>A condition admitted at load that must stop at <paramref name="Resource"/> under <paramref name="Limits"/>.</summary>
    public sealed record Runaway(string Name, string Expression, ConditionResource Resource, ConditionLimits Limits);

    /// <summary>A condition refused at load with <paramref name="Id"/>.</summary>
    public sealed record Refused(string Name, string Expression, string Id);

    // e.Type of the test event is "dataworks:FileChange:DeployFile" (31 characters).
    private const string Cube = "e.Type.SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type)";
    private const string Five = Cube + ".SelectMany(a => e.Type).SelectMany(a => e.Type)";

    // 301 values (300 commas split) and a 100-character separator.
    private const string Commas = "\",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\".Split(',')";
    private const string Hundred = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

    // 2^19 characters built in 18 doublings (about 4 MB of text charged), then searched for half of itself.
    private const string Half = "e.Type.Take(18).Aggregate(\"ab\", (acc, c) => acc + acc)";

    /// <summary>Steps run out first: time and memory are generous.</summary>
    public static readonly ConditionLimits StepLimits = new() { MaxSteps = 200_000, Timeout = TimeSpan.FromSeconds(30), MaxBytes = 256L * 1024 * 1024 };

    /// <summary>Memory runs out first.</summary>
    public static readonly ConditionLimits MemoryLimits = new() { MaxSteps = 100_000_000, Timeout = TimeSpan.FromSeconds(30), MaxBytes = 4L * 1024 * 1024 };

    /// <summary>Time runs out first.</summary>
    public static readonly ConditionLimits TimeLimits = new() { MaxSteps = long.MaxValue, Timeout = TimeSpan.FromMilliseconds(150), MaxBytes = long.MaxValue };

    /// <summary>Time runs out first, within a few of a short regular expression's matches.</summary>
    public static readonly ConditionLimits RegexTimeLimits = new() { MaxSteps = long.MaxValue, Timeout = TimeSpan.FromMilliseconds(20), MaxBytes = long.MaxValue };

    /// <summary>The stack runs out first (the case runs on a thread with a 320 KiB stack).</summary>
    public static readonly ConditionLimits StackLimits = new() { MaxSteps = 100_000_000, Timeout = TimeSpan.FromSeconds(60), MaxBytes = long.MaxValue };

    public static readonly Runaway[] Runaways =
    [
        // Stack: lazy iterators nested by Aggregate, one level per element (27,000 levels). Before the guards,
        // counting the first one recursed through every level and overflowed the stack, which ends the process.
        new("stack-reverse-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Reverse()).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-skip-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Skip(0)).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-concat-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Concat(\"x\")).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-select-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Select(x => x)).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-where-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Where(x => true)).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-append-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Append(c)).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-orderby-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.OrderBy(x => x)).First() == 'a'", ConditionResource.Stack, StackLimits),
        new("stack-distinct-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Distinct()).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-zip-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.Zip(e.Type, (x, y) => x)).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-query-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => from x in acc where x != '#' select x).Count() > 0", ConditionResource.Stack, StackLimits),
        new("stack-selectmany-chain", Cube + ".Aggregate(e.Type.Skip(0), (acc, c) => acc.SelectMany(x => e.Type.Take(1))).Any()", ConditionResource.Stack, StackLimits),
        new("stack-cast-chain", Cube + ".Aggregate((IEnumerable<char>)e.Type, (acc, c) => acc.Prepend(c)).Last() == 'a'", ConditionResource.Stack, StackLimits),

        // Steps: products of event data, lambdas calling lambdas, quadratic string work.
        new("steps-selectmany-product", Five + ".Count() > 0", ConditionResource.Steps, StepLimits),
        new("steps-query-cross-join", "(from a in e.Type from b in e.Type from c in e.Type from d in e.Type select a).Count() > 0", ConditionResource.Steps, StepLimits),
        new("steps-nested-sum", "e.Type.Select(c => e.Type.Select(d => e.Type.Select(f => e.Type.Count()).Sum()).Sum()).Sum() > 0", ConditionResource.Steps, StepLimits),
        new("steps-nested-any", "e.Type.Any(a => e.Type.Any(b => e.Type.Any(c => e.Type.Any(d => d == '#'))))", ConditionResource.Steps, StepLimits),
        new("steps-orderby-product", Cube + ".SelectMany(a => e.Type).OrderBy(x => x).First() == 'a'", ConditionResource.Steps, StepLimits),
        new("steps-groupby-product", Cube + ".SelectMany(a => e.Type).GroupBy(x => x).Count() > 0", ConditionResource.Steps, StepLimits),
        new("steps-list-exists", Cube + ".ToList() is var l && e.Type.All(c => !l.Exists(x => x == '#'))", ConditionResource.Steps, StepLimits),
        new("steps-distinct-event-nodes", "e.Data.Arr(\"items\").Distinct().Count() > 0", ConditionResource.Steps, StepLimits),
        new("steps-json-parse-loop", Cube + ".All(x => e.Data.Json(\"blob\").Exists)", ConditionResource.Steps, StepLimits),
        new("steps-string-contains", Half + " is var s && s.Contains(s.Substring(1))", ConditionResource.Steps, StepLimits),
        new("steps-string-indexof", Half + " is var s && s.IndexOf(s.Substring(1), StringComparison.Ordinal) > 0", ConditionResource.Steps, StepLimits),
        new("steps-string-lastindexof", Half + " is var s && s.LastIndexOf(s.Substring(1)) > 0", ConditionResource.Steps, StepLimits),
        new("steps-string-split-strings", Half + " is var s && s.Split(new[] { s.Substring(1) }, StringSplitOptions.None).Length > 0", ConditionResource.Steps, StepLimits),
        new("steps-string-replace-search", Half + " is var s && s.Replace(s.Substring(1), \"\").Length > 0", ConditionResource.Steps, StepLimits),
        new("steps-string-trim-chars", Half + " is var s && s.Trim(s.ToCharArray()).Length > 0", ConditionResource.Steps, StepLimits),
        new("steps-string-passes", Half + " is var s && e.Type.SelectMany(a => e.Type).All(c => s.ToUpper().Length == s.ToLower().Length)", ConditionResource.Steps, StepLimits),
        new("steps-list-contains", Cube + ".ToList() is var l && e.Type.SelectMany(a => e.Type).All(c => !l.Contains('#'))", ConditionResource.Steps, StepLimits),
        new("steps-sort-by-long-keys", Half + " is var s && e.Type.SelectMany(a => e.Type).OrderBy(c => s).First() == 'a'", ConditionResource.Steps, StepLimits),
        new("steps-range-slices", Half + " is var s && e.Type.SelectMany(a => e.Type).All(c => s[1..].Length > 0)", ConditionResource.Steps, StepLimits),
        new("steps-conditional-access-search", Half + " is var s && s?.Contains(s.Substring(1)) == true", ConditionResource.Steps, StepLimits),

        // Memory: sequences materialized, text grown by doubling through every way of concatenating.
        new("memory-tolist-product", Five + ".ToList().Count > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-toarray-product", Five + ".ToArray().Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-string-concat-sequence", "string.Concat(" + Five + ").Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-string-join-sequence", "string.Join(\",\", " + Five + ").Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-list-constructor", "new List<char>(" + Five + ").Count > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-hashset-of-indexes", Five + ".Select((x, i) => i).ToHashSet().Count > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-doubling-plus", "e.Type.Aggregate(\"x\", (acc, c) => acc + acc).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-quadrupling-plus", "e.Type.Aggregate(\"x\", (acc, c) => acc + acc + acc + acc).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-doubling-interpolation", "e.Type.Aggregate(\"x\", (acc, c) => $\"{acc}{acc}\").Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-doubling-concat-call", "e.Type.Aggregate(\"x\", (acc, c) => string.Concat(acc, acc, acc, acc, acc)).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-doubling-join-call", "e.Type.Aggregate(\"x\", (acc, c) => string.Join(acc, acc, acc)).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-doubling-join-array", "e.Type.Aggregate(\"x\", (acc, c) => string.Join(\",\", new[] { acc, acc })).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-replace-growth", "e.Type.Aggregate(\"xx\", (acc, c) => acc.Replace(\"x\", acc)).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-insert-growth", "e.Type.Aggregate(\"x\", (acc, c) => acc.Insert(0, acc)).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-event-text-growth", "e.Type.Aggregate(\"\", (acc, c) => acc + e.Data + e.Data).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-split-pieces", "e.Type.Take(18).Aggregate(\",\", (acc, c) => acc + acc).Split(',').Length > 0", ConditionResource.Memory, MemoryLimits),

        // A long separator between many values, in straight-line code (no lambda takes a step in between): 300 commas
        // give 301 values, a 100-character separator makes a 30,000-character one, and 301 values joined by it are
        // 9 million characters, built in one call. Before string.Join had a twin only the values were charged.
        new("memory-join-long-separator", Commas + " is var a && string.Join(\"" + Hundred + "\", a) is var b && string.Join(b, a).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-join-long-separator-sequence", Commas + " is var a && string.Join(\"" + Hundred + "\", a) is var b && string.Join(b, a.Select(x => x)).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-join-long-separator-params", Commas + " is var a && string.Join(\"" + Hundred + "\", a) is var b && string.Join(b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-join-long-separator-range", Commas + " is var a && string.Join(\"" + Hundred + "\", a) is var b && string.Join(b, a, 0, 300).Length > 0", ConditionResource.Memory, MemoryLimits),
        new("memory-concat-sequence-of-long-text", Commas + " is var a && string.Join(\"" + Hundred + "\", a) is var b && string.Concat(a.Select(x => b)).Length > 0", ConditionResource.Memory, MemoryLimits),

        // Time: unbounded steps, a short clock.
        new("time-selectmany-product", Five + ".Count() > 0", ConditionResource.Time, TimeLimits),
        // 200 backtracking matches of 20 characters (about a millisecond each: far below the regex's own 100 ms even on a
        // loaded machine), then one of 40 that only that timeout would end. The budget (20 ms here) is checked before
        // each match, so it stops the condition long before the last one. Before, a match of a short text took no
        // step and nothing looked at the clock until the condition returned: the last match timed out instead.
        new("time-regex-calls", "\"aaaaaaaaaaaaaaaaaaaa!\" is var s && \"^(?=a)(a|aa)+$\" is var p && ("
            + string.Join(" | ", Enumerable.Repeat("e.Matches(s, p)", 200)) + " | e.Matches(\"" + new string('a', 40) + "!\", p))", ConditionResource.Time, RegexTimeLimits),
        new("time-nested-any", "e.Type.Any(a => e.Type.Any(b => e.Type.Any(c => e.Data.Arr(\"items\").Any(d => d.Int(\"i\") < 0))))", ConditionResource.Time, TimeLimits),
    ];

    private static string Nest(int depth, string method) =>
        Enumerable.Range(0, depth).Aggregate("1", (inner, i) => $"e.Type.{method}(c{i} => {inner})") + " > 0";

    public static readonly Refused[] Refusals =
    [
        // Compile time (OER2008): shapes the C# compiler needs exponential time for, refused before it sees them.
        new("compile-sum-nested-6", Nest(6, "Sum"), DiagnosticIds.ConditionTooComplex),
        new("compile-sum-nested-4", Nest(4, "Sum"), DiagnosticIds.ConditionTooComplex),
        new("compile-max-nested-in-parentheses", Enumerable.Range(0, 5).Aggregate("1", (inner, i) => $"e.Type.Max((c{i} => {inner}))") + " > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-max-nested-in-casts", Enumerable.Range(0, 5).Aggregate("1", (inner, i) => $"e.Type.Max((Func<char, int>)(c{i} => {inner}))") + " > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-min-max-average-nested", "e.Type.Average(c => e.Type.Max(d => e.Type.Min(f => e.Type.Sum(g => 1)))) > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-sum-siblings", "e.Type.Sum(c => e.Type.Sum(d => " + string.Join(" + ", Enumerable.Repeat("e.Type.Sum(f => 1)", 14)) + ")) > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-lambda-nesting", Nest(5, "Count"), DiagnosticIds.ConditionTooComplex),
        new("compile-lambda-count", string.Join(" && ", Enumerable.Repeat("e.Type.Any(c => c == 'x')", 33)), DiagnosticIds.ConditionTooComplex),
        new("compile-query-clauses", "(from a in e.Type " + string.Join(" ", Enumerable.Repeat("where a != 'x'", 33)) + " select a).Any()", DiagnosticIds.ConditionTooComplex),
        new("compile-interpolation-nesting-40", Enumerable.Range(0, 40).Aggregate("e.Type", (s, _) => "$\"{" + s + "}\"") + ".Length > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-interpolation-nesting-4", Enumerable.Range(0, 4).Aggregate("e.Type", (s, _) => "$\"{" + s + "}\"") + ".Length > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-anonymous-nesting", Enumerable.Range(0, 100).Aggregate("1", (s, _) => "new { a = " + s + " }") + " != null", DiagnosticIds.ConditionTooComplex),
        new("compile-anonymous-count", "new[] { " + string.Join(", ", Enumerable.Repeat("new { a = 1 }", 33)) + " }.Length > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-parentheses", new string('(', 300) + "true" + new string(')', 300), DiagnosticIds.ConditionTooComplex),
        new("compile-negations", new string('!', 1000) + "true", DiagnosticIds.ConditionTooComplex),
        new("compile-collection-nesting", new string('[', 150) + "1" + new string(']', 150) + ".Length > 0", DiagnosticIds.ConditionTooComplex),

        // Types that double at every step, which the compiler walks without sharing their parts (23 steps: minutes).
        new("compile-tuple-doubling", "(1m, 1m) is var a0 && " + string.Join(" && ", Enumerable.Range(1, 28).Select(i => $"(a{i - 1}, a{i - 1}) is var a{i}")) + " && a28.Item1.Equals(a28.Item2)", DiagnosticIds.ConditionTooComplex),
        new("compile-select-tuple-doubling", "e.Data.Arr(\"x\")" + string.Concat(Enumerable.Repeat(".Select(a => (a, a))", 30)) + ".Count() > 0", DiagnosticIds.ConditionTooComplex),
        new("compile-create-doubling", "1m is var a0 && " + string.Join(" && ", Enumerable.Range(1, 24).Select(i => $"ValueTuple.Create(a{i - 1}, a{i - 1}) is var a{i}")) + " && a24.Item1 == a24.Item2", DiagnosticIds.ConditionTooComplex),
        new("compile-zip-doubling", "e.Type.Select(c => c) is var z0 && " + string.Join(" && ", Enumerable.Range(1, 24).Select(i => $"z{i - 1}.Zip(z{i - 1}) is var z{i}")) + " && z24.Any()", DiagnosticIds.ConditionTooComplex),

        // A value on the stack past 256 bytes: 16 steps of (a, a) made 2 MB, whose first use overflowed the stack (OER2010).
        new("stack-tuple-of-tuples", "(1m, 1m) is var a0 && (a0, a0) is var a1 && (a1, a1) is var a2 && (a2, a2) is var a3 && (a3, a3) is var a4 && a4.Item1.Equals(a4.Item2)", DiagnosticIds.ConditionUnbounded),
        new("stack-wide-tuple", "(1m, 1m, 1m, 1m, 1m, 1m, 1m, (1m, 1m, 1m, 1m, 1m, 1m, 1m, (1m, 1m, 1m))) is var t && t.Item1 > 0", DiagnosticIds.ConditionUnbounded),

                // Building a regex matcher is not bounded by its match timeout: a constant pattern is at most 1,024 characters (OER2007).
        new("regex-pattern-too-long", "e.Matches(e.Type, \"" + string.Join("|", Enumerable.Range(0, 300)) + "\")", DiagnosticIds.ConditionInvalidArgument),

        // Unbounded at run time inside one library call (OER2010).
        new("aggregate-object-accumulator", "e.Type.Aggregate((object)null, (acc, c) => new { acc }) != null", DiagnosticIds.ConditionUnbounded),
        new("aggregate-tuple-accumulator", "e.Type.Aggregate(((object)null, 0), (acc, c) => ((object)acc, 1)).Item2 > 0", DiagnosticIds.ConditionUnbounded),
        new("aggregate-seedless-object", "e.Type.Select(c => (object)c).Aggregate((a, b) => new { a, b }) != null", DiagnosticIds.ConditionUnbounded),
        new("aggregateby-object", "e.Type.AggregateBy(c => c, (object)null, (acc, c) => new { acc }).Any()", DiagnosticIds.ConditionUnbounded),
        new("thenby-accumulator", "e.Type.Aggregate(e.Type.OrderBy(c => c), (acc, c) => acc.ThenBy(x => x)).Count() > 0", DiagnosticIds.ConditionUnbounded),
        new("numeric-format-precision", "1.ToString(\"D999999999\").Length > 0", DiagnosticIds.ConditionUnbounded),
        new("numeric-format-from-event", "1.5.ToString(e.Data.Str(\"format\")).Length > 0", DiagnosticIds.ConditionUnbounded),
        new("interpolation-format-precision", "$\"{e.Data.Num(\"x\"):F999999}\".Length > 0", DiagnosticIds.ConditionUnbounded),
        new("text-of-anonymous-object", "new { a = e.Type }.ToString().Length > 0", DiagnosticIds.ConditionUnbounded),
        new("text-of-tuple", "(\"a\" + (e.Type, e.Type)).Length > 0", DiagnosticIds.ConditionUnbounded),
        new("text-of-object", "(\"a\" + (object)e.Type).Length > 0", DiagnosticIds.ConditionUnbounded),
        new("text-of-collection-in-hole", "$\"{e.Data.Arr(\"x\")}\".Length > 0", DiagnosticIds.ConditionUnbounded),
        new("join-of-arrays", "string.Join(\",\", new[] { new[] { 1 } }).Length > 0", DiagnosticIds.ConditionUnbounded),
        new("method-group-over-sequences", "new[] { e.Type }.Select(Enumerable.Count).Sum() > 0", DiagnosticIds.ConditionUnbounded),

        // Feedback through a mutable collection, and mutators in general (OER2002), throw (OER2005).
        new("hashset-add-feedback", "new HashSet<string>() is var h && e.Type.All(c => h.Add(h.Count.ToString()))", DiagnosticIds.ConditionForbiddenApi),
        new("list-remove", "new List<char>(e.Type) is var k && k.Remove('a')", DiagnosticIds.ConditionForbiddenApi),
        new("dictionary-tryadd", "new Dictionary<string, int>() is var d && e.Type.All(c => d.TryAdd(c.ToString(), d.Count))", DiagnosticIds.ConditionForbiddenApi),
        new("string-normalize", "e.Type.Normalize().Length > 0", DiagnosticIds.ConditionForbiddenApi),
        new("throw-expression", "e.Data.Str(\"x\") ?? throw null", DiagnosticIds.ConditionForbiddenConstruct),
    ];
}
