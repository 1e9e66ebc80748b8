using System.Text;

namespace OpenEvent.Rules.Parsing;

/// <summary>Writes JSON pointers the way authors read YAML paths: "/spec/actions/0/block" → "spec.actions[0].block".</summary>
internal static class PointerDisplay
{
    public static string ToDisplay(string pointer)
    {
        if (pointer.Length == 0)
        {
            return "the document";
        }

        var builder = new StringBuilder(pointer.Length);
        foreach (var token in JsonPointer.Tokens(pointer))
        {
            if (token.Length > 0 && token.All(char.IsAsciiDigit) && builder.Length > 0)
            {
                builder.Append('[').Append(token).Append(']');
            }
            else
            {
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append(token);
            }
        }

        return builder.ToString();
    }

    public static string Parent(string pointer)
    {
        var slash = pointer.LastIndexOf('/');
        return slash <= 0 ? "" : pointer[..slash];
    }

    public static string LastToken(string pointer) => JsonPointer.Tokens(pointer).LastOrDefault() ?? "";
}
