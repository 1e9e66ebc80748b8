using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>
/// Every key under <c>OpenEventRules</c> must name a setting of <see cref="RulesHostOptions"/>. The configuration
/// binder ignores keys it does not know, so a typo (<c>Limits:MaxEventByte</c>) would silently keep the default; here
/// each key is checked against the options types by reflection (a new setting is covered without a list to keep in
/// step), wherever it comes from (command line, environment, appsettings.json), with a did-you-mean.
/// </summary>
public static class SettingKeys
{
    private static readonly Lazy<IReadOnlyList<string>> s_all = new(() =>
    {
        var keys = new List<string>();
        Collect(typeof(RulesHostOptions), RulesHostOptions.Section, keys);
        return keys;
    });

    /// <summary>Every setting, e.g. <c>OpenEventRules:Limits:MaxEventBytes</c>; <c>{name}</c> and <c>{index}</c> stand for dictionary keys and list positions.</summary>
    public static IReadOnlyList<string> All => s_all.Value;

    /// <summary>One message per key under OpenEventRules that is not a setting, naming where it came from and the likely fix.</summary>
    public static IReadOnlyList<string> FindUnknown(IConfiguration configuration)
    {
        var problems = new List<string>();
        CheckObject(configuration.GetSection(RulesHostOptions.Section), typeof(RulesHostOptions), configuration, problems);
        CheckSectionName(configuration, problems);
        return problems;
    }

    /// <summary>
    /// A setting whose section is misspelt (OpenEventRule__Auth__Token) or written with single underscores
    /// (OpenEventRules_Auth_Token) was ignored without a word: the host started without the token.
    /// </summary>
    private static void CheckSectionName(IConfiguration configuration, List<string> problems)
    {
        foreach (var top in configuration.GetChildren())
        {
            if (string.Equals(top.Key, RulesHostOptions.Section, StringComparison.OrdinalIgnoreCase)
                || !(top.Key.StartsWith("OpenEventRule", StringComparison.OrdinalIgnoreCase) || Suggestions.Closest(top.Key, [RulesHostOptions.Section]) is not null))
            {
                continue;
            }

            var leaf = top.AsEnumerable().Where(pair => pair.Value is not null).Select(pair => pair.Key).Order(StringComparer.Ordinal).FirstOrDefault() ?? top.Path;
            var rest = leaf.Length > top.Key.Length ? leaf[top.Key.Length..] : "";
            var meant = top.Key.Length > RulesHostOptions.Section.Length && top.Key.StartsWith(RulesHostOptions.Section + "_", StringComparison.OrdinalIgnoreCase)
                ? RulesHostOptions.Section + ":" + top.Key[(RulesHostOptions.Section.Length + 1)..].Replace("_", ":", StringComparison.Ordinal) + rest
                : RulesHostOptions.Section + rest;
            problems.Add($"unknown setting {TextExcerpt.Of(leaf, 120)}{From(configuration.GetSection(leaf), configuration)}: did you mean {TextExcerpt.Of(meant, 120)}? "
                + "(in environment variable names each ':' is written '__': OpenEventRules__Auth__Token)");
        }
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every unknown key (before binding, whose own message for them is cryptic).</summary>
    public static void ThrowIfUnknown(IConfiguration configuration)
    {
        if (FindUnknown(configuration) is { Count: > 0 } problems)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RulesHostOptions), problems);
        }
    }

    /// <summary>The closest setting to a key written without (or with a misspelt) section, e.g. <c>PoliciesPath</c> or <c>OpenEventRule:PoliciesPath</c>.</summary>
    public static string? Suggest(string key)
    {
        var concrete = All.Where(k => !k.Contains('{', StringComparison.Ordinal)).ToList();
        if (Suggestions.Closest(key, concrete) is { } whole)
        {
            return whole;
        }

        var last = key[(key.LastIndexOf(':') + 1)..];
        // A name that several sections have (Path, RetainedFiles) is ambiguous: the first is as good a guess as any.
        var byLastSegment = concrete.GroupBy(k => k[(k.LastIndexOf(':') + 1)..], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var name = Suggestions.Closest(last, byLastSegment.Keys.Where(k => k.Length > 2));
        return name is null ? null : byLastSegment[name];
    }

    private static void CheckObject(IConfigurationSection section, Type type, IConfiguration root, List<string> problems)
    {
        var properties = Bindable(type).ToList();
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                problems.Add(Unknown(child, properties.Select(p => p.Name).ToList(), root));
                continue;
            }

            CheckValue(child, property.PropertyType, root, problems);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, IConfiguration root, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            if (section.GetChildren().Any())
            {
                var first = section.GetChildren().First();
                problems.Add($"unknown setting {first.Path}{From(first, root)}: {section.Path} is a single value, not a section.");
            }
            else if (section.Value is { Length: > 0 } value && !Converts(value, type))
            {
                // The binder's own words were "Failed to convert configuration value 'abc' at '...' to type 'System.Int32'".
                problems.Add($"invalid setting {section.Path}{From(section, root)}: '{TextExcerpt.Of(value, 80)}' is not {Expected(type)}.");
            }

            return;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            foreach (var entry in section.GetChildren())
            {
                CheckValue(entry, valueType, root, problems);
            }

            return;
        }

        if (ListItemType(type) is { } itemType)
        {
            foreach (var item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, out _))
                {
                    problems.Add($"unknown setting {item.Path}{From(item, root)}: {section.Path} is a list; number its entries ({section.Path}:0, {section.Path}:1, ...).");
                    continue;
                }

                CheckValue(item, itemType, root, problems);
            }

            return;
        }

        CheckObject(section, type, root, problems);
    }

    private static string Unknown(IConfigurationSection child, IReadOnlyList<string> siblings, IConfiguration root)
    {
        var parent = child.Path[..child.Path.LastIndexOf(':')];
        var suggestion = Suggestions.Closest(child.Key, siblings) is { } near ? $"{parent}:{near}" : Suggest(child.Path);
        var fix = suggestion is not null
            ? $"did you mean {suggestion}?"
            : $"the settings of {parent} are {string.Join(", ", siblings)}.";
        return $"unknown setting {child.Path}{From(child, root)}: {fix}";
    }

    /// <summary>
    /// Where a credential was set when that is the command line or a file (both readable by others: ps, the repository),
    /// e.g. " (command line)"; null when it is not set or comes from the environment (or from code).
    /// </summary>
    internal static string? OutsideEnvironment(IConfiguration configuration, string key)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return null;
        }

        foreach (var provider in root.Providers.Reverse())
        {
            if (provider.TryGet(key, out var value))
            {
                return string.IsNullOrEmpty(value) ? null : provider switch
                {
                    CommandLineConfigurationProvider => " (command line)",
                    FileConfigurationProvider file => $" ({file.Source.Path})",
                    _ => null,
                };
            }
        }

        return null;
    }

    /// <summary>" (command line)", " (environment variable X)", " (appsettings.json)": where a key was set, when it can be told.</summary>
    private static string From(IConfigurationSection section, IConfiguration root)
    {
        if (root is not IConfigurationRoot configurationRoot)
        {
            return "";
        }

        var leaf = FirstLeaf(section);
        foreach (var provider in configurationRoot.Providers.Reverse())
        {
            if (provider.TryGet(leaf.Path, out _))
            {
                return provider switch
                {
                    CommandLineConfigurationProvider => " (command line)",
                    EnvironmentVariablesConfigurationProvider => $" (environment variable {section.Path.Replace(":", "__", StringComparison.Ordinal)})",
                    FileConfigurationProvider file => $" ({file.Source.Path})",
                    _ => "",
                };
            }
        }

        return "";
    }

    private static IConfigurationSection FirstLeaf(IConfigurationSection section) =>
        section.GetChildren().FirstOrDefault() is { } child ? FirstLeaf(child) : section;

    private static void Collect(Type type, string prefix, List<string> keys)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            keys.Add(prefix);
        }
        else if (DictionaryValueType(type) is { } valueType)
        {
            Collect(valueType, prefix + ":{name}", keys);
        }
        else if (ListItemType(type) is { } itemType)
        {
            Collect(itemType, prefix + ":{index}", keys);
        }
        else
        {
            foreach (var property in Bindable(type))
            {
                Collect(property.PropertyType, $"{prefix}:{property.Name}", keys);
            }
        }
    }

    /// <summary>What the binder sets: public instance properties with a public setter (a computed property like Enabled is not a setting).</summary>
    private static IEnumerable<PropertyInfo> Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);

    /// <summary>Whether the binder can read <paramref name="value"/> as <paramref name="type"/> (it converts with the invariant culture).</summary>
    private static bool Converts(string value, Type type)
    {
        try
        {
            _ = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException || ex.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number (e.g. 1048576)",
        _ when type == typeof(double) || type == typeof(decimal) => "a number (e.g. 0.5)",
        _ when type == typeof(TimeSpan) => "a duration written [d.]hh:mm:ss[.fff] (e.g. 00:00:05 for 5 seconds)",
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(Uri) => "a URL",
        _ => $"a {type.Name}",
    };

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid) || type == typeof(Uri);

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
        && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ListItemType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0]
        : null;
}

/// <summary>Fails the start on every key under OpenEventRules that is not a setting (see <see cref="SettingKeys"/>).</summary>
internal sealed class UnknownSettingsValidator(IConfiguration configuration) : IValidateOptions<RulesHostOptions>
{
    public ValidateOptionsResult Validate(string? name, RulesHostOptions options) =>
        SettingKeys.FindUnknown(configuration) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

/// <summary>
/// The broker password is a credential: set on the command line (visible in ps) or in a file (committed with the
/// deployment) it is refused at start, like OER3039 refuses a policy that reads the host's credentials.
/// </summary>
internal sealed class BrokerCredentialValidator(IConfiguration configuration) : IValidateOptions<RulesHostOptions>
{
    public const string PasswordKey = RulesHostOptions.Section + ":Broker:Password";

    public ValidateOptionsResult Validate(string? name, RulesHostOptions options) =>
        SettingKeys.OutsideEnvironment(configuration, PasswordKey) is { } where
            ? ValidateOptionsResult.Fail($"{PasswordKey} is set{where}: a credential comes from the environment only; set OpenEventRules__Broker__Password in the host's environment instead.")
            : ValidateOptionsResult.Success;
}
