using System.Text.RegularExpressions;

namespace OpenEvent.Rules.Model;

/// <summary>
/// The syntax of an Alibaba Cloud region id (cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1): lowercase letters,
/// then dash-separated groups of lowercase letters and digits. A region names the host the signed DataWorks answer is
/// sent to, so the DataWorks:Region setting (checked at start) and an event's aliyunregionid (checked at admission and
/// again before sending) must both have it.
/// </summary>
public static partial class RegionId
{
    /// <summary>Longest region id accepted (the longest real ones, e.g. cn-shanghai-finance-1, are about 25).</summary>
    public const int MaxLength = 64;

    public static bool IsValid(string region) => region.Length <= MaxLength && Pattern().IsMatch(region);

    // \z, not $: $ also matches before a final line feed.
    [GeneratedRegex(@"^[a-z]{2,}(-[a-z0-9]+)+\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Pattern();
}
