using System.Collections.Frozen;
using System.Reflection;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The console's files (its page, script and stylesheet) and the sample events of the Playground, embedded in this
/// assembly (see the project file): the host serves them as they are, offline, with no build step. Names are looked up
/// in a fixed set, so a request can never name another resource or a file.
/// </summary>
internal static class ConsoleAssets
{
    private const string AssetPrefix = "console/";
    private const string SamplePrefix = "samples/";

    private static readonly Assembly s_assembly = typeof(ConsoleAssets).Assembly;

    private static readonly FrozenDictionary<string, byte[]> s_assets = Load(AssetPrefix);

    private static readonly FrozenDictionary<string, byte[]> s_samples = Load(SamplePrefix);

    /// <summary>The sample events (samples/events/*.json of the repository), by file name, sorted.</summary>
    public static IEnumerable<string> SampleNames => s_samples.Keys.Order(StringComparer.Ordinal);

    public static byte[]? Sample(string name) => s_samples.GetValueOrDefault(name);

    public static IResult Serve(string name) => s_assets.TryGetValue(name, out var bytes)
        ? Results.Bytes(bytes, ContentType(name))
        : Results.NotFound();

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private static FrozenDictionary<string, byte[]> Load(string prefix) =>
        s_assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToFrozenDictionary(n => n[prefix.Length..], Read, StringComparer.Ordinal);

    private static byte[] Read(string resource)
    {
        using var stream = s_assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
