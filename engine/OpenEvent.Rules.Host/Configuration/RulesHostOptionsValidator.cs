using Microsoft.Extensions.Options;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>Checks every setting at startup and names the offending key and the fix in each message.</summary>
public sealed class RulesHostOptionsValidator : IValidateOptions<RulesHostOptions>
{
    private const string Prefix = RulesHostOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, RulesHostOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PoliciesPath))
        {
            failures.Add($"{Prefix}PoliciesPath is empty: set it to the policy folder (e.g. policies).");
        }
        else if (!Directory.Exists(options.PoliciesPath) && !File.Exists(options.PoliciesPath))
        {
            failures.Add($"{Prefix}PoliciesPath '{options.PoliciesPath}' does not exist: set it to the policy folder.");
        }

        if (options.Auth.Token is { Length: > 0 and < 16 })
        {
            failures.Add($"{Prefix}Auth:Token is shorter than 16 characters: use a long random token (e.g. openssl rand -hex 32).");
        }

        if (string.IsNullOrWhiteSpace(options.Auth.HeaderName) || options.Auth.HeaderName.Any(c => c <= ' ' || c == ':'))
        {
            failures.Add($"{Prefix}Auth:HeaderName '{options.Auth.HeaderName}' is not a valid HTTP header name.");
        }

        Range(failures, "Limits:MaxEventBytes", options.Limits.MaxEventBytes, 1024, 64 * 1024 * 1024);
        Range(failures, "Limits:MaxBatchBytes", options.Limits.MaxBatchBytes, 1024, 512 * 1024 * 1024);
        if (options.Limits.MaxBatchBytes < options.Limits.MaxEventBytes)
        {
            failures.Add($"{Prefix}Limits:MaxBatchBytes ({options.Limits.MaxBatchBytes}) is smaller than Limits:MaxEventBytes ({options.Limits.MaxEventBytes}).");
        }

        Range(failures, "DecisionLog:MaxFileBytes", options.DecisionLog.MaxFileBytes, 4096, long.MaxValue);
        Range(failures, "DecisionLog:RetainedFiles", options.DecisionLog.RetainedFiles, 0, 1000);
        foreach (var pointer in options.DecisionLog.Mask)
        {
            if (!pointer.StartsWith('/'))
            {
                failures.Add($"{Prefix}DecisionLog:Mask entry '{pointer}' is not a JSON pointer: write it like /data/sqlText.");
            }
        }

        Range(failures, "Reload:DebounceMilliseconds", options.Reload.DebounceMilliseconds, 0, 60_000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{key} is {value}: it must be between {min} and {max}.");
        }
    }
}
