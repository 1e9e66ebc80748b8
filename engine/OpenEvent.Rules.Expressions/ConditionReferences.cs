using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Expressions;

/// <summary>
/// The assemblies a condition compilation sees: the runtime's core library and the facades that forward to
/// it, LINQ, collections, and Core for the condition view. Nothing else: IO, network, processes and reflection
/// types that live elsewhere do not even bind. (Core library types such as System.IO.File do bind; the
/// semantic sandbox refuses them.) The MVIDs feed the cache key, so a runtime update invalidates the cache.
/// </summary>
internal static class ConditionReferences
{
    private static readonly string[] RuntimeAssemblies = ["System.Private.CoreLib", "System.Runtime", "System.Linq", "System.Collections", "System.Text.Json", "System.Memory"];

    private static readonly Lazy<(ImmutableArray<MetadataReference> References, string Fingerprint)> Loaded = new(Load);

    public static ImmutableArray<MetadataReference> References => Loaded.Value.References;

    /// <summary>Referenced assemblies' MVIDs and the compiler's own, in a stable order.</summary>
    public static string Fingerprint => Loaded.Value.Fingerprint;

    private static (ImmutableArray<MetadataReference>, string) Load()
    {
        var platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var paths = new List<string>();
        foreach (var name in RuntimeAssemblies)
        {
            if (!platform.TryGetValue(name, out var path))
            {
                throw new InvalidOperationException($"The runtime assembly {name} was not found; C# conditions need a framework-dependent deployment.");
            }

            paths.Add(path);
        }

        var core = typeof(ConditionEvent).Assembly.Location;
        if (string.IsNullOrEmpty(core))
        {
            throw new InvalidOperationException("OpenEvent.Rules.Core has no file location (single-file publish?); C# conditions need it as a compiler reference.");
        }

        paths.Add(core);
        var references = ImmutableArray.CreateBuilder<MetadataReference>(paths.Count);
        var fingerprint = new List<string>
        {
            "roslyn:" + typeof(CSharpCompilation).Assembly.ManifestModule.ModuleVersionId.ToString("N"),
            "roslyn-version:" + (typeof(CSharpCompilation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?"),
        };
        foreach (var path in paths)
        {
            var metadata = AssemblyMetadata.CreateFromFile(path);
            fingerprint.Add(Path.GetFileName(path) + ":" + metadata.GetModules()[0].GetModuleVersionId().ToString("N"));
            references.Add(metadata.GetReference(filePath: path));
        }

        return (references.MoveToImmutable(), string.Join('\n', fingerprint));
    }
}
