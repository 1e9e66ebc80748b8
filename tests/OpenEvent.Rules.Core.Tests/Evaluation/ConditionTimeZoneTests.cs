using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

/// <summary>
/// Time-zone ids can come from events (<c>e.At(e.Data.Str("timeZone"))</c>): the lookup is bounded, and spellings the
/// runtime would read as a new file path each time are refused before they reach it.
/// </summary>
public sealed class ConditionTimeZoneTests
{
    [Theory]
    [InlineData("Asia/Shanghai")]
    [InlineData("UTC")]
    [InlineData("Etc/GMT+8")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("America/Port-au-Prince")]
    public void FindZone_RealIds_Found(string id)
    {
        Assert.NotNull(ConditionTime.FindZone(id));
    }

    [Theory]
    [InlineData("Asia//Shanghai")]
    [InlineData("Asia///////Shanghai")]
    [InlineData("/Asia/Shanghai")]
    [InlineData("Asia/Shanghai/")]
    [InlineData("../etc/Shanghai")]
    [InlineData("Asia/Shang\nhai")]
    [InlineData("")]
    public void FindZone_OddSpellings_AreNotTimeZones(string id)
    {
        Assert.Throws<TimeZoneNotFoundException>(() => ConditionTime.FindZone(id));
    }

    [Theory]
    [InlineData("2024-12-31T15:59:59.999999999Z", "2024-12-31T15:59:59.9999999+00:00")]
    [InlineData("2024-12-31T15:59:59.99999999+08:00", "2024-12-31T15:59:59.9999999+08:00")]
    [InlineData("2024-12-31T15:59:59.5Z", "2024-12-31T15:59:59.5000000+00:00")]
    [InlineData("2024-12-31T15:59:59.1234567999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999Z", "2024-12-31T15:59:59.1234567+00:00")]
    [InlineData("2020-11-19T21:04:42.179PRC", "2020-11-19T21:04:42.1790000+08:00")]
    public void ParseLenient_FractionsPastWhatATimeHolds_AreCutNotRounded(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ConditionTime.ParseLenient(text));
        Assert.Equal(expected, ConditionTime.ParseLenient(text)!.Value.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FindZone_CaseVariants_AreTheOneZone()
    {
        var zone = ConditionTime.FindZone("Asia/Shanghai");

        Assert.Same(zone, ConditionTime.FindZone("aSiA/sHaNgHaI"));
        Assert.Same(zone, ConditionTime.FindZone("ASIA/SHANGHAI"));
    }
}
