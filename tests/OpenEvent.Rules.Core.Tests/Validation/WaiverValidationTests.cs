using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Core.Tests.Validation;

/// <summary>
/// Waivers as the loader reads them (a missing owner, ticket, reason or expiry; an expiry that is not a date or a date
/// and time with its offset; a policy the set does not have; a policy with no verdict to relax; a name used twice) and
/// as the review judges them against a clock (active, expiring within the review period, expired: an error when strict).
/// </summary>
public sealed class WaiverValidationTests
{
    private const string Freeze = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
          actions:
            - block: { reason: "deploys are frozen" }
        ---

        """;

    private static string Waiver(string spec, string name = "orders-backfill") => $"""
        apiVersion: openevent.rules/v1
        kind: Waiver
        metadata: {"{"} name: {name} {"}"}
        spec:
        {spec}
        """;

    private const string Complete = """
          policies: [deploy-freeze]
          owner: data-eng
          ticket: GOV-12
          reason: the orders backfill deploys during the freeze
          expires: 2026-06-30
        """;

    private static async Task<PolicyLoadResult> LoadAsync(string yaml)
    {
        using var folder = new TempFolder();
        folder.Write("set.yaml", yaml);
        return await PolicyFolderLoader.LoadAsync([folder.Root]);
    }

    private static readonly DateTimeOffset s_june1 = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// An empty list in a waiver's scope looks like "no workspaces" but does not narrow the waiver at all: it would waive
    /// the policy everywhere. An error, located at the scope; a policy scope's empty list stays a warning, an exclusion's
    /// is an error too (it would exclude every event of the dimension).
    /// </summary>
    [Fact]
    public async Task Validate_EmptyListInAWaiverOrExclusionScope_ErrorItWouldWaiveOrExcludeEverything()
    {
        const string policy = """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: deploy-freeze }
            spec:
              match:
                type: ["dataworks:FileChange:DeployFile"]
              exclude:
                - scope: { operators: [] }
              actions:
                - block: { reason: "deploys are frozen" }
            ---

            """;
        var load = await LoadAsync(policy + Waiver(Complete + "\n  scope: { workspaces: [], regions: [cn-hangzhou] }\n"));

        var scoped = load.Diagnostics.Where(d => d.Id == DiagnosticIds.UnknownScopeValue).ToList();
        Assert.True(scoped.Count == 2, string.Join("\n", load.Diagnostics));
        Assert.All(scoped, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Contains(scoped, d => d.Message == "Waiver 'orders-backfill': scope 'workspaces' is an empty list, which does not narrow the waiver: it would waive the policy for every workspace");
        Assert.Contains(scoped, d => d.Message == "Policy 'deploy-freeze': an exclusion's scope 'operators' is an empty list, which does not narrow it: the exclusion applies to every operator");
    }

    /// <summary>Regions are compared as written and the host refuses an event whose region is not a region id: such a scope value can never match.</summary>
    [Fact]
    public async Task Validate_RegionThatIsNotARegionId_ErrorInPolicyAndWaiverScopes()
    {
        const string policy = """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: deploy-freeze }
            spec:
              match:
                type: ["dataworks:FileChange:DeployFile"]
              scope:
                regions: [cn-hangzhou, CN-Shanghai, "cn-beijing "]
              actions:
                - block: { reason: "deploys are frozen" }
            ---

            """;
        var load = await LoadAsync(policy + Waiver(Complete + "\n  scope: { regions: [Hangzhou] }\n"));

        var regions = load.Diagnostics.Where(d => d.Id == DiagnosticIds.UnknownScopeValue).Select(d => (d.Severity, d.Message, d.Hint)).ToList();
        Assert.Equal(
            [
                (DiagnosticSeverity.Error, "Policy 'deploy-freeze': region 'CN-Shanghai' is not a region id, so no event can have it",
                    "Write the region id as DataWorks sends it in aliyunregionid: lower case, e.g. cn-shanghai."),
                (DiagnosticSeverity.Error, "Policy 'deploy-freeze': region 'cn-beijing ' is not a region id, so no event can have it",
                    "Write the region id as DataWorks sends it in aliyunregionid: lower case, e.g. cn-beijing."),
                (DiagnosticSeverity.Error, "Waiver 'orders-backfill': region 'Hangzhou' is not a region id, so no event can have it",
                    "Write the region id as DataWorks sends it in aliyunregionid: lower case, e.g. cn-hangzhou."),
            ],
            regions);
    }

    /// <summary>oer waivers' DAYS LEFT and oer validate's "expired N days ago" count the same days (they differed by one).</summary>
    [Theory]
    [InlineData("2026-12-01T00:00:00Z", 7)]
    [InlineData("2026-12-07T00:00:00Z", 1)]
    [InlineData("2026-12-07T12:00:00Z", 0)]
    [InlineData("2026-12-08T12:00:00Z", 0)]
    [InlineData("2026-12-09T12:00:00Z", -1)]
    [InlineData("2027-11-12T12:00:00Z", -339)]
    public void DaysLeftAt_SameCountAsTheReviewsDaysAgo(string now, int daysLeft)
    {
        var expiry = new WaiverExpiry("2026-12-07", new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero), new SourceLocation("w.yaml", 1, 1));

        Assert.Equal(daysLeft, expiry.DaysLeftAt(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Validate_PolicyNamedTwice_WarningAtTheSecondEntry()
    {
        var load = await LoadAsync(Freeze + Waiver(Complete.Replace("policies: [deploy-freeze]", "policies: [deploy-freeze, deploy-freeze]", StringComparison.Ordinal)));

        var twice = Assert.Single(load.Diagnostics, d => d.Id == DiagnosticIds.WaiverRelaxesNothing);
        Assert.Equal(DiagnosticSeverity.Warning, twice.Severity);
        Assert.Equal("waiver 'orders-backfill' names policy 'deploy-freeze' twice", twice.Message);
        Assert.Equal(29, twice.Location.Column);
    }

    [Fact]
    public async Task Load_CompleteWaiver_IsInTheSet()
    {
        var load = await LoadAsync(Freeze + Waiver(Complete));

        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var waiver = Assert.Single(load.Set.Waivers);
        Assert.Equal(["deploy-freeze"], waiver.Policies.ToArray());
        Assert.Equal(("data-eng", "GOV-12", "2026-06-30"), (waiver.Owner, waiver.Ticket, waiver.Expires.Text));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), waiver.Expires.End);
    }

    [Fact]
    public async Task Load_MissingOwnerAndTicket_OER3103NamesBoth()
    {
        var load = await LoadAsync(Freeze + Waiver("""
              policies: [deploy-freeze]
              reason: because
              expires: 2026-06-30
            """));

        var diagnostic = Assert.Single(load.Diagnostics, d => d.IsError);
        Assert.Equal((DiagnosticIds.WaiverIncomplete, 13, 1), (diagnostic.Id, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Equal("waiver 'orders-backfill' has no 'owner', 'ticket': a waiver needs an owner, a ticket, a reason and an expiry", diagnostic.Message);
        Assert.Empty(load.Set.Waivers);
    }

    [Theory]
    [InlineData("2026-06-31", "write a date, e.g. 2026-12-31")]
    [InlineData("next friday", "write a date, e.g. 2026-12-31")]
    [InlineData("2026-06-30T18:00", "add the offset, e.g. 2026-06-30T18:00Z (UTC) or 2026-06-30T18:00+08:00")]
    public async Task Load_BadExpiry_OER3104WithTheFix(string expires, string hintStart)
    {
        var load = await LoadAsync(Freeze + Waiver(Complete.Replace("2026-06-30", $"\"{expires}\"", StringComparison.Ordinal)));

        var diagnostic = Assert.Single(load.Diagnostics, d => d.IsError);
        Assert.Equal((DiagnosticIds.WaiverExpiryFormat, 18, 12), (diagnostic.Id, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.StartsWith(hintStart, diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_LastDateThereIs_EndsAtTheLastInstantInsteadOfAnEngineFault()
    {
        // 9999-12-31 has no next midnight: adding a day threw, and the whole file became OER1018.
        var load = await LoadAsync(Freeze + Waiver(Complete.Replace("2026-06-30", "9999-12-31", StringComparison.Ordinal)));

        Assert.DoesNotContain(load.Diagnostics, d => d.IsError);
        Assert.Equal(DateTimeOffset.MaxValue, Assert.Single(load.Set.Waivers).Expires.End);
    }

    [Fact]
    public async Task Load_UnknownPolicy_OER3100WithDidYouMean()
    {
        var load = await LoadAsync(Freeze + Waiver(Complete.Replace("[deploy-freeze]", "[deploy-freez]", StringComparison.Ordinal)));

        var diagnostic = Assert.Single(load.Diagnostics, d => d.IsError);
        Assert.Equal((DiagnosticIds.UnknownWaivedPolicy, 14, 14), (diagnostic.Id, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.StartsWith("Did you mean 'deploy-freeze'?", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_AuditModePolicy_OER3105Warning()
    {
        var load = await LoadAsync(Freeze.Replace("spec:\n", "spec:\n  mode: audit\n", StringComparison.Ordinal) + Waiver(Complete));

        var diagnostic = Assert.Single(load.Diagnostics);
        Assert.Equal((DiagnosticIds.WaiverRelaxesNothing, DiagnosticSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal("waiver 'orders-backfill' relaxes policy 'deploy-freeze', which is in audit mode (it decides no verdict)", diagnostic.Message);
    }

    [Fact]
    public async Task Load_TwoWaiversOfOneName_OER3001()
    {
        var load = await LoadAsync(Freeze + Waiver(Complete) + "\n---\n" + Waiver(Complete));

        Assert.Contains(load.Diagnostics, d => d.Id == DiagnosticIds.DuplicateName && d.Message.StartsWith("Waiver 'orders-backfill' is already defined", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2026-06-01T00:00:00Z", WaiverState.Active)]     // 30 days left
    [InlineData("2026-06-16T23:59:59Z", WaiverState.Active)]     // 14 days and a second left
    [InlineData("2026-06-17T00:00:00Z", WaiverState.Expiring)]   // 14 days left: within the review period
    [InlineData("2026-06-30T23:59:59Z", WaiverState.Expiring)]   // its last second
    [InlineData("2026-07-01T00:00:00Z", WaiverState.Expired)]
    public async Task StateAt_EachState(string now, WaiverState state)
    {
        var waiver = Assert.Single((await LoadAsync(Freeze + Waiver(Complete))).Set.Waivers);

        Assert.Equal(state, WaiverReview.StateAt(waiver, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Review_ActiveExpiringExpired_OneDiagnosticEachWhereDue()
    {
        var set = (await LoadAsync(Freeze
            + Waiver(Complete.Replace("2026-06-30", "2026-12-31", StringComparison.Ordinal), "long-one") + "\n---\n"
            + Waiver(Complete.Replace("2026-06-30", "2026-06-10", StringComparison.Ordinal), "soon-one") + "\n---\n"
            + Waiver(Complete.Replace("2026-06-30", "2026-05-15", StringComparison.Ordinal), "old-one"))).Set;

        var normal = WaiverReview.Review(set, s_june1);
        var strict = WaiverReview.Review(set, s_june1, strict: true);

        Assert.Equal(
            [(DiagnosticIds.WaiverExpiresSoon, DiagnosticSeverity.Warning, "waiver 'soon-one' (GOV-12, owner data-eng) expires in 10 days (2026-06-10: ends 2026-06-11 00:00 UTC)"),
             (DiagnosticIds.WaiverExpired, DiagnosticSeverity.Warning, "waiver 'old-one' (GOV-12, owner data-eng) expired 16 days ago (2026-05-15: ends 2026-05-16 00:00 UTC): it no longer applies")],
            normal.Select(d => (d.Id, d.Severity, d.Message)));
        Assert.Equal([DiagnosticSeverity.Warning, DiagnosticSeverity.Error], strict.Select(d => d.Severity));
        Assert.Equal((38, 12), (normal[1].Location.Line, normal[1].Location.Column));
    }

    [Fact]
    public async Task Review_ShorterPeriod_NoLongerReportsTheExpiringOne()
    {
        var set = (await LoadAsync(Freeze + Waiver(Complete.Replace("2026-06-30", "2026-06-10", StringComparison.Ordinal)))).Set;

        Assert.Empty(WaiverReview.Review(set, s_june1, expiringWithinDays: 5));
        Assert.Single(WaiverReview.Review(set, s_june1, expiringWithinDays: 10));
    }

    [Fact]
    public async Task Load_WaiverMatchOnAFieldItsPoliciesEventsLack_OER3021AndOER3022NameTheWaiver()
    {
        // fileNme is a typo of the deploy's fileName; status is documented for instances, not for deploys; fileType
        // is an integer there, so a quoted number never equals it. The waiver's match is judged against the types its
        // policy matches, as a policy's exclusion is.
        var load = await LoadAsync(Freeze + Waiver(Complete + "\n" + """
              match: { data: { fileNme: [{ prefix: "dws_" }], status: [5], fileType: ["10"] } }
            """));

        Assert.Equal(
            [(DiagnosticIds.UndocumentedField, "Waiver 'orders-backfill': 'data.fileNme' is not documented for dataworks:FileChange:DeployFile", 20),
             (DiagnosticIds.UndocumentedField, "Waiver 'orders-backfill': 'data.status' is not documented for dataworks:FileChange:DeployFile", 51),
             (DiagnosticIds.OperatorFieldTypeMismatch, "Waiver 'orders-backfill': the string \"10\" can never equal 'data.fileType', which is documented as integer", 75)],
            load.Diagnostics.Select(d => (d.Id, d.Message, d.Location.Column)));
        Assert.StartsWith("Did you mean 'data.fileName'? ", load.Diagnostics[0].Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_WaiverMatchOnDocumentedFields_NoDiagnostics()
    {
        var load = await LoadAsync(Freeze + Waiver(Complete + "\n" + """
              match: { data: { fileName: [{ prefix: "dws_" }], fileType: [10] } }
            """));

        Assert.Empty(load.Diagnostics);
    }
}
