using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Model;

// Where a policy reads the event's detail (what GetIDEEventDetail returns), decided from the policy alone: the
// validator checks those places against the catalog, and the evaluator fetches the detail only for policies that read
// it, after their other clauses matched. One answer for both, so what is validated is what is fetched.

/// <summary>Finds the places where a policy reads <c>detail</c>: patterns, conditions and message templates.</summary>
internal static class DetailUse
{
    /// <summary>The name of the detail in patterns, templates and conditions' text (<c>detail</c>; <c>e.Detail</c> in C#).</summary>
    public const string Root = "detail";

    private const string ConditionMember = "Detail";

    /// <summary>The top-level <c>detail</c> member of a pattern (beside <c>data</c>), or null.</summary>
    public static PatternMember? InPattern(PatternObject? pattern) =>
        pattern?.Members.FirstOrDefault(m => m is NestedMember { Name: Root } or LeafMember { Name: Root });

    /// <summary>Whether a placeholder of the template reads the detail (<c>{{ detail.CommittedFile.FileName }}</c>).</summary>
    public static bool InTemplate(MessageTemplate? template) =>
        template is not null && template.Parts.Any(p => p is PlaceholderPart { Segments: [Root, ..] });

    /// <summary>
    /// The offset in <paramref name="expression"/> of the first read of <c>Detail</c> (<c>e.Detail</c>, <c>x?.Detail</c>,
    /// a property pattern <c>{ Detail: ... }</c> or <c>{ Detail.Sql.SelectStar: true }</c>), or -1. Comments, character literals and plain, verbatim and raw
    /// strings are skipped; interpolated strings are read as code (their holes may read the detail), so the answer errs
    /// towards "reads it", which only costs a fetch. The sandbox refuses Unicode escapes in identifiers, reflection and
    /// dynamic, so a condition has no other way to reach the detail.
    /// </summary>
    public static int InCondition(string? expression)
    {
        if (string.IsNullOrEmpty(expression))
        {
            return -1;
        }

        var text = expression;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (SkipCommentOrString(text, i) is var skipped && skipped > i)
            {
                i = skipped;
            }
            else if (IsIdentifierStart(c))
            {
                var start = i;
                while (i < text.Length && IsIdentifierPart(text[i]))
                {
                    i++;
                }

                // Any identifier Detail: e.Detail, x?.Detail, { Detail: ... }, and the extended property pattern
                // { Detail.Sql.SelectStar: true }, which a test of the neighbours ('.' before, ':' after) missed, so the
                // detail was never fetched. A local of that name costs a fetch, which is the side to err on.
                if (i - start == ConditionMember.Length && string.CompareOrdinal(text, start, ConditionMember, 0, ConditionMember.Length) == 0)
                {
                    return start;
                }
            }
            else
            {
                i++;
            }
        }

        return -1;
    }

    /// <summary>Past the comment, character literal or (plain, verbatim, raw) string that starts at <paramref name="i"/>; <paramref name="i"/> when none does.</summary>
    private static int SkipCommentOrString(string text, int i)
    {
        var c = text[i];
        if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
        {
            return SkipTo(text, i + 2, "\n");
        }

        if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
        {
            return SkipTo(text, i + 2, "*/");
        }

        if (c == '\'')
        {
            return SkipEscaped(text, i + 1, '\'');
        }

        if (c == '"' && i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"')
        {
            var quotes = 0;
            while (i < text.Length && text[i] == '"')
            {
                quotes++;
                i++;
            }

            return SkipTo(text, i, new string('"', quotes));
        }

        if (c == '"')
        {
            return SkipEscaped(text, i + 1, '"');
        }

        return c == '@' && i + 1 < text.Length && text[i + 1] == '"' ? SkipVerbatim(text, i + 2) : i;
    }

    /// <summary>Whether the policy reads the detail anywhere: its match, an exclusion, its condition or an action's template.</summary>
    public static bool Reads(PolicyDefinition policy) =>
        InPattern(policy.Match) is not null
        || policy.Exclude.Any(x => InPattern(x.Match) is not null)
        || InCondition(policy.Condition?.Expression) >= 0
        || policy.Actions.Any(a => InTemplate(TemplateOf(a)));

    /// <summary>The message template of a block, warn or notify action; null for forward.</summary>
    public static MessageTemplate? TemplateOf(ActionDefinition action) => action switch
    {
        BlockAction block => block.Reason,
        WarnAction warn => warn.Reason,
        NotifyAction notify => notify.Message,
        _ => null,
    };

    private static int SkipTo(string text, int from, string end)
    {
        var found = text.IndexOf(end, from, StringComparison.Ordinal);
        return found < 0 ? text.Length : found + end.Length;
    }

    private static int SkipEscaped(string text, int i, char quote)
    {
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == '\\')
            {
                i++;
            }
            else if (c == quote || c == '\n')
            {
                break;
            }
        }

        return Math.Min(i, text.Length);
    }

    private static int SkipVerbatim(string text, int i)
    {
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return i;
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_';
}
