using System.Text.Json;

namespace OpenEvent.Rules.Events;

/// <summary>Dotted paths over a JSON element ("data.process.applicant"); a numeric segment indexes an array.</summary>
internal static class JsonPaths
{
    public static bool TryGet(JsonElement root, string path, out JsonElement value)
    {
        value = root;
        foreach (var segment in path.Split('.'))
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var child))
            {
                value = child;
            }
            else if (value.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index)
                     && index >= 0 && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                value = default;
                return false;
            }
        }

        return true;
    }
}
