using System.Collections.Immutable;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>Where a waiver stands at a given time.</summary>
public enum WaiverState
{
    /// <summary>It applies, and ends after the review period.</summary>
    Active,

    /// <summary>It applies, and ends within the review period (OER3101).</summary>
    Expiring,

    /// <summary>It has ended and no longer applies (OER3102).</summary>
    Expired,
}

/// <summary>
/// The waivers judged against a clock: one that ends within the review period is a warning (OER3101), one that has
/// ended is a warning too (OER3102), or an error when the caller is strict (<c>oer validate --strict</c>, so that CI
/// fails until the waiver is removed or renewed). The loader never runs this: what a folder loads to must not depend
/// on the day. <c>oer validate</c>, <c>oer analyze</c>, <c>oer waivers</c> and the host (at each load, in its log) do.
/// </summary>
public static class WaiverReview
{
    /// <summary>The review period when none is given: a waiver ending within 14 days is reported.</summary>
    public const int DefaultExpiringWithinDays = 14;

    /// <summary>The longest review period accepted (a year).</summary>
    public const int MaxExpiringWithinDays = 366;

    public static WaiverState StateAt(WaiverDefinition waiver, DateTimeOffset now, int expiringWithinDays = DefaultExpiringWithinDays)
    {
        ArgumentNullException.ThrowIfNull(waiver);
        return !waiver.IsActiveAt(now) ? WaiverState.Expired
            : waiver.Expires.End - now <= TimeSpan.FromDays(expiringWithinDays) ? WaiverState.Expiring
            : WaiverState.Active;
    }

    /// <summary>The state as reports write it: active, expiring or expired.</summary>
    public static string StateText(WaiverState state) => state.ToString().ToLowerInvariant();

    /// <summary>OER3101 and OER3102 for the waivers of <paramref name="set"/> at <paramref name="now"/>, at each waiver's expiry.</summary>
    public static ImmutableArray<Diagnostic> Review(PolicySetDefinition set, DateTimeOffset now, int expiringWithinDays = DefaultExpiringWithinDays, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(set);
        var diagnostics = new DiagnosticBag();
        foreach (var waiver in set.Waivers)
        {
            var days = waiver.Expires.DaysLeftAt(now);
            switch (StateAt(waiver, now, expiringWithinDays))
            {
                case WaiverState.Expiring:
                    diagnostics.Warning(DiagnosticIds.WaiverExpiresSoon, waiver.Expires.Location,
                        $"waiver '{waiver.Name}' ({waiver.Ticket}, owner {waiver.Owner}) expires {Describe(waiver.Expires, days)}",
                        "renew it with its owner (a later expires: and the ticket that approves it), or let it end: the policies then apply again");
                    break;
                case WaiverState.Expired:
                    diagnostics.Add(new Diagnostic(DiagnosticIds.WaiverExpired, strict ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, waiver.Expires.Location,
                        $"waiver '{waiver.Name}' ({waiver.Ticket}, owner {waiver.Owner}) expired {Ago(waiver.Expires, -days)}: it no longer applies",
                        "remove the waiver, or renew it with a later expires: and the ticket that approves it"));
                    break;
            }
        }

        return [.. diagnostics.Items];
    }

    private static string Describe(WaiverExpiry expiry, int days) =>
        days switch
        {
            0 => $"today ({Ends(expiry)})",
            1 => $"tomorrow ({Ends(expiry)})",
            _ => $"in {days} days ({Ends(expiry)})",
        };

    private static string Ago(WaiverExpiry expiry, int days) =>
        days <= 0 ? $"today ({Ends(expiry)})" : days == 1 ? $"yesterday ({Ends(expiry)})" : $"{days} days ago ({Ends(expiry)})";

    /// <summary>The end as an instant in UTC, e.g. "ends 2027-01-01 00:00 UTC".</summary>
    internal static string Ends(WaiverExpiry expiry) =>
        $"{expiry.Text}: ends {expiry.End.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC";
}
