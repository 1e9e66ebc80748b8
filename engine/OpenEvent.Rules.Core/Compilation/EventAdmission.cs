using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The checks an event passes at the door, after it was read and before it is evaluated, for the values that leave
/// the host: the id goes into Idempotency-Key headers and is the MessageId of the DataWorks answer, the region names
/// the endpoint the signed answer is sent to, and only DataWorks events are governed. A compiled set applies them when
/// built with <see cref="PolicySetCompilerOptions.CheckAdmission"/>: the host's, and the set oer dry-run,
/// explain and impact read events with, so that they refuse what POST /events refuses.
/// </summary>
internal static class EventAdmission
{
    /// <summary>The only accepted CloudEvents source (the Function Compute envelope is normalized to it).</summary>
    public const string DataWorksSource = "acs.dataworks";

    /// <summary>DataWorks ids are UUIDs (36 characters); anything much longer is not one of its events.</summary>
    public const int MaxIdLength = 128;

    public static EventError? Check(DataWorksEvent e)
    {
        if (CheckId(e.Id) is { } idProblem)
        {
            return new EventError("invalid-id", $"the event id {idProblem}: ids are 1 to {MaxIdLength} visible ASCII characters (they are sent in HTTP headers and as the DataWorks MessageId)");
        }

        if (e.Source is null)
        {
            return new EventError("missing-source", $"the event has no 'source' string attribute; DataWorks events have source \"{DataWorksSource}\"");
        }

        if (e.Source != DataWorksSource)
        {
            return new EventError("invalid-source", $"source '{Printable(e.Source)}' is not accepted: only DataWorks events (source \"{DataWorksSource}\") are governed");
        }

        if (e.Scope.Region is { } region && !RegionId.IsValid(region))
        {
            return new EventError("invalid-region", $"aliyunregionid '{Printable(region)}' is not a region id (like cn-hangzhou): the answer to DataWorks is sent to the endpoint it names");
        }

        return null;
    }

    /// <summary>Why the id is refused, or null: control characters (header injection), non-ASCII, spaces, length.</summary>
    private static string? CheckId(string id)
    {
        if (id.Length > MaxIdLength)
        {
            return $"is {id.Length} characters long";
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
            {
                return $"holds the control character U+{(int)c:X4} at {i}";
            }

            if (c > '~')
            {
                return $"holds the non-ASCII character U+{(int)c:X4} at {i}";
            }

            if (c == ' ')
            {
                return $"holds a space at {i}";
            }
        }

        return null;
    }

    /// <summary>A refused value as it may be echoed in a problem body: control characters escaped, cut to 80 characters.</summary>
    private static string Printable(string value) => TextExcerpt.Of(value, 80);
}
