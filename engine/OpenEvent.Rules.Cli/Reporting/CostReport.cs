using System.Text.Json;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>
/// <c>oer analyze</c>'s cost section: the dearest policies (cost units per event, what makes each dear, where), the set's
/// total and the budget; as text for people, as a JSON object for scripts and in SARIF's run properties.
/// </summary>
internal static class CostReport
{
    public static void WriteText(TextWriter writer, PolicySetCost cost, CostBudget? budget, int top)
    {
        var shown = cost.Policies.Take(top).ToList();
        writer.WriteLine($"cost in units per event (~ns of matcher work; policy-guide.md, Cost budget){BudgetText(budget)}:");
        var width = shown.Count == 0 ? 1 : shown.Max(p => PolicyCostModel.Format(p.Units).Length);
        var nameWidth = shown.Count == 0 ? 1 : shown.Max(p => p.Policy.Length);
        foreach (var policy in shown)
        {
            var dearest = policy.Dearest is { } d ? $"; dearest: {d.What} ({PolicyCostModel.Format(d.Units)})" : "";
            writer.WriteLine($"  {PolicyCostModel.Format(policy.Units).PadLeft(width)}  {policy.Policy.PadRight(nameWidth)}  {policy.Location}  reaches {policy.ReachText}{dearest}");
        }

        var more = cost.Policies.Length > shown.Count ? $" ({shown.Count} dearest shown; --top N for more)" : "";
        var count = cost.Policies.Length == 1 ? "1 policy" : $"{cost.Policies.Length} policies";
        writer.WriteLine($"  set total: {PolicyCostModel.Format(cost.Total)} for {count}{more}");
    }

    /// <summary>The cost as a JSON object: <c>{total, maxPolicyCost, maxSetCost, policies: [{policy, file, line, column, cost, reach, terms: [...]}]}</c>.</summary>
    public static void WriteJson(Utf8JsonWriter json, PolicySetCost cost, CostBudget? budget, int top)
    {
        json.WriteStartObject();
        json.WriteNumber("total", cost.Total);
        WriteLimit(json, "maxPolicyCost", budget?.MaxPolicyCost);
        WriteLimit(json, "maxSetCost", budget?.MaxSetCost);
        json.WriteNumber("policyCount", cost.Policies.Length);
        json.WriteStartArray("policies");
        foreach (var policy in cost.Policies.Take(top))
        {
            json.WriteStartObject();
            json.WriteString("policy", policy.Policy);
            WriteLocation(json, policy.Location);
            json.WriteNumber("cost", policy.Units);
            json.WriteNumber("reach", Math.Round(policy.Reach, 4));
            json.WriteString("reaches", policy.ReachText);
            json.WriteString("hint", policy.Hint);
            json.WriteStartArray("terms");
            foreach (var term in policy.Terms)
            {
                json.WriteStartObject();
                json.WriteString("what", term.What);
                json.WriteNumber("cost", Math.Round(term.Units, 1, MidpointRounding.AwayFromZero));
                WriteLocation(json, term.Location);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string BudgetText(CostBudget? budget) => budget switch
    {
        { MaxPolicyCost: { } p, MaxSetCost: { } s } => $"; budget {p} per policy, {s} for the set",
        { MaxPolicyCost: { } p } => $"; budget {p} per policy",
        { MaxSetCost: { } s } => $"; budget {s} for the set",
        _ => "; no budget",
    };

    private static void WriteLimit(Utf8JsonWriter json, string name, long? limit)
    {
        if (limit is { } value)
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteLocation(Utf8JsonWriter json, SourceLocation location)
    {
        json.WriteString("file", location.File);
        if (location.Line > 0)
        {
            json.WriteNumber("line", location.Line);
            json.WriteNumber("column", location.Column);
        }
        else
        {
            json.WriteNull("line");
            json.WriteNull("column");
        }
    }
}
