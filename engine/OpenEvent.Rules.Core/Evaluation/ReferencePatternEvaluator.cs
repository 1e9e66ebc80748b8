using System.Text.Json;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Evaluation;

// PLACEHOLDER until the patterns branch is merged (it replaces this file).
public static class ReferencePatternEvaluator
{
    public static bool Matches(PatternObject pattern, JsonElement cloudEvent) =>
        throw new NotImplementedException();
}
