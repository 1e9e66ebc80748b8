using System.Security.Cryptography;
using System.Text;
using OpenEvent.Rules.Host.Actions.DataWorks;

namespace OpenEvent.Rules.Host.Tests.Actions.DataWorks;

/// <summary>The signer against the published test vectors (reference section 4.5), exactly.</summary>
public sealed class AcsSignerTests
{
    [Fact]
    public void SignatureV3_ReferenceVector_MatchesHashAndSignature()
    {
        var query = AcsSigner.CanonicalQuery([
            new("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
            new("RegionId", "cn-shanghai"),
        ]);
        var canonical = AcsSigner.CanonicalRequestV3("POST", query,
        [
            new("host", "ecs.cn-shanghai.aliyuncs.com"),
            new("x-acs-action", "RunInstances"),
            new("x-acs-version", "2014-05-26"),
            new("x-acs-date", "2023-10-26T10:22:32Z"),
            new("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            new("x-acs-content-sha256", AcsSigner.HexSha256([])),
        ], AcsSigner.EmptyBodyHash, out var signedHeaders);

        Assert.Equal(AcsSigner.EmptyBodyHash, AcsSigner.HexSha256([]));
        Assert.Equal("host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version", signedHeaders);
        Assert.Equal("7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259", AcsSigner.HexSha256(Encoding.UTF8.GetBytes(canonical)));
        Assert.Equal("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0", AcsSigner.SignatureV3(canonical, "YourAccessKeySecret"));
        Assert.Equal("ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=" + signedHeaders + ",Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
            AcsSigner.AuthorizationV3("YourAccessKeyId", signedHeaders, AcsSigner.SignatureV3(canonical, "YourAccessKeySecret")));
    }

    [Fact]
    public void SignatureV2_ReferenceVector_Matches()
    {
        var signature = AcsSigner.SignatureV2("GET",
        [
            new("AccessKeyId", "testid"),
            new("Action", "DescribeRegions"),
            new("Format", "XML"),
            new("SignatureMethod", "HMAC-SHA1"),
            new("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            new("SignatureVersion", "1.0"),
            new("Timestamp", "2016-02-23T12:46:24Z"),
            new("Version", "2014-05-26"),
        ], "testsecret");

        Assert.Equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", signature);
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a*b", "a%2Ab")]
    [InlineData("a~b-_.", "a~b-_.")]
    [InlineData("/", "%2F")]
    [InlineData("é", "%C3%A9")]
    [InlineData("a+b=c&d", "a%2Bb%3Dc%26d")]
    public void PercentEncode_FollowsTheSdkRules(string value, string expected) => Assert.Equal(expected, AcsSigner.PercentEncode(value));

    [Fact]
    public void CanonicalQuery_SortsOrdinallyAndDropsEmptyValues() =>
        Assert.Equal("A=1&B=x%20y&a=2", AcsSigner.CanonicalQuery([new("a", "2"), new("B", "x y"), new("Empty", ""), new("A", "1")]));

    [Fact]
    public void Timestamp_IsUtcWithoutFraction() =>
        Assert.Equal("2023-10-26T10:22:32Z", AcsSigner.Timestamp(new DateTimeOffset(2023, 10, 26, 18, 22, 32, 123, TimeSpan.FromHours(8))));

    [Fact]
    public void DingTalkAndLark_SignLikeTheirDocumentation()
    {
        // DingTalk: HMAC-SHA256 keyed with the secret over "{timestamp}\n{secret}"; Lark: keyed with "{timestamp}\n{secret}" over nothing.
        var dingTalk = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("SECabc"), Encoding.UTF8.GetBytes("1700000000000\nSECabc")));
        Assert.Equal(dingTalk, OpenEvent.Rules.Host.Actions.Channels.DingTalkChannel.Sign("1700000000000", "SECabc"));
        var lark = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("1700000000\nsecret"), Array.Empty<byte>()));
        Assert.Equal(lark, OpenEvent.Rules.Host.Actions.Channels.LarkChannel.Sign("1700000000", "secret"));
    }
}
