using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Host.Enrichment;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Where the offline commands get events' details (DataWorks GetIDEEventDetail) for the policies that read them:
/// <c>--details DIR</c>, a folder of <c>&lt;event-id&gt;.detail.json</c> files (the GetIDEEventDetail answer, its
/// EventDetail, or <c>{"detail": ...}</c>), and, for dry-run and explain, <c>--fetch-detail</c>: DataWorks itself, with
/// the credentials and settings of the environment, as the host asks it. Without either, policies that read the
/// detail follow their detailErrors ("no detail was supplied").
/// </summary>
internal static partial class DetailInputs
{
    /// <summary>The suffix of a detail file: <c>&lt;event-id&gt;.detail.json</c>. Such files in an events folder are details, not events.</summary>
    public const string Suffix = ".detail.json";

    public static Option<string> Details() => new("--details")
    {
        Description = $"A folder of event details, one <event-id>{Suffix} per event (what DataWorks' GetIDEEventDetail returns), for policies that read detail.",
        HelpName = "DIR",
    };

    public static Option<bool> FetchDetail() => new("--fetch-detail")
    {
        Description = "Ask DataWorks (GetIDEEventDetail) for the detail of events a policy needs it for, with the AccessKey of the environment "
            + "(ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET) and OpenEventRules__DataWorks__Endpoint or the event's region.",
    };

    /// <summary>The source the options name (null: none), or a usage error on <paramref name="stderr"/> (returns false).</summary>
    public static bool TryCreate(string? folder, bool fetch, TextWriter stderr, TimeProvider time, out RememberingSource? source)
    {
        source = null;
        if (folder is not null && !Directory.Exists(folder))
        {
            stderr.WriteLine($"oer: --details {folder}: not a folder (give a folder of <event-id>{Suffix} files)");
            return false;
        }

        IEventDetailSource? inner = folder is null ? null : new FolderSource(folder);
        if (fetch)
        {
            var dataWorks = DetailSources.FromEnvironment(time);
            inner = inner is null ? dataWorks : new FirstOf(inner, dataWorks);
        }

        source = inner is null ? null : new RememberingSource(inner);
        return true;
    }

    /// <summary>Whether an events-folder file is a detail (<c>*.detail.json</c>), not an event.</summary>
    public static bool IsDetailFile(string path) => path.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>&lt;event-id&gt;.detail.json</c> in a folder, read with the policy loader's guards (regular files inside the folder, bounded).</summary>
    private sealed class FolderSource(string folder) : IEventDetailSource
    {
        // The folder's real path: a detail file must resolve inside it (a link leading out is refused).
        private readonly string _realFolder = FileProbe.RealPath(Path.GetFullPath(folder)) ?? Path.GetFullPath(folder);

        public ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken)
        {
            // The event id names a file: only a plain name, never a path.
            if (!SafeId().IsMatch(e.Id))
            {
                return ValueTask.FromResult(EventDetailResult.Failed($"the event id {TextExcerptOf(e.Id)} cannot name a detail file", "file"));
            }

            var name = e.Id + Suffix;
            var path = Path.Combine(folder, name);
            var read = BoundedFileReader.Read(path, EventDetail.DefaultMaxBytes, containedIn: _realFolder);
            if (read.Status != FileReadStatus.Read)
            {
                var reason = read.Status switch
                {
                    FileReadStatus.Missing => $"no detail file {name} in {folder}",
                    FileReadStatus.NotRegular => $"{path} is {FileKindText.Describe(read.Kind)}, not a regular file",
                    FileReadStatus.TooLarge => $"{path} is larger than the {EventDetail.DefaultMaxBytes / (1024 * 1024)} MB limit of a detail",
                    FileReadStatus.OutsideFolder => $"{path} leads outside {folder}",
                    _ => $"{path} cannot be read: {read.Error}",
                };
                return ValueTask.FromResult(EventDetailResult.Failed(reason, "file"));
            }

            return ValueTask.FromResult(EventDetail.TryRead(read.Bytes, e.CatalogEntry?.Detail?.Member, EventDetail.DefaultMaxBytes, out var detail, out var error)
                ? EventDetailResult.Found(detail!, "file")
                : EventDetailResult.Failed($"{path}: {error}", "file"));
        }

        private static string TextExcerptOf(string text) => "'" + Model.TextExcerpt.Of(text) + "'";
    }

    /// <summary>The folder's file when there is one, else DataWorks.</summary>
    private sealed class FirstOf(IEventDetailSource first, IEventDetailSource then) : IEventDetailSource
    {
        public async ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken)
        {
            var result = await first.GetAsync(e, cancellationToken);
            return result.Succeeded ? result : await then.GetAsync(e, cancellationToken);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$")]
    private static partial Regex SafeId();
}

/// <summary>A source that keeps what it answered, by event id, so that explain can show the detail the decision saw.</summary>
internal sealed class RememberingSource(IEventDetailSource inner) : IEventDetailSource
{
    private readonly ConcurrentDictionary<string, EventDetailResult> _answers = new(StringComparer.Ordinal);

    public async ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken)
    {
        var result = await inner.GetAsync(e, cancellationToken);
        _answers[e.Id] = result;
        return result;
    }

    /// <summary>The detail given for the event, when one was asked for and found.</summary>
    public EventDetail? Detail(string eventId) => _answers.TryGetValue(eventId, out var result) ? result.Detail : null;
}
