using System.Net;
using System.Text;
using Coinage.ApiService.Identity.ApiKeys;

namespace Coinage.ApiService.Tests.ApiKeys;

/// <summary>
/// The signing scheme on its own. The expected signatures come from Python's <c>hmac</c> and
/// <c>openssl dgst -sha256 -hmac</c> (docs/api-keys.md shows both), not from the code under test.
/// </summary>
public sealed class ApiKeySignatureTests
{
    private const string Secret = "dGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZy0wMTIzNDU2";
    private const long Timestamp = 1764979200000;
    private const string Body = """{"market":"BTC-USD","side":"buy"}""";

    [Fact]
    public void The_canonical_string_is_timestamp_method_target_and_body_on_their_own_lines()
    {
        Assert.Equal("1764979200000\nPOST\n/api/v1/orders?dry=1\n" + Body, ApiKeySignature.Canonical(Timestamp, "POST", "/api/v1/orders?dry=1", Body));
        Assert.Equal("1764979200000\nGET\n/api/v1/wallet/balances\n", ApiKeySignature.Canonical(Timestamp, "GET", "/api/v1/wallet/balances", ""));
    }

    [Fact]
    public void Signatures_match_an_independent_hmac_sha256_keyed_with_the_secret_text()
    {
        Assert.Equal("96de5322ef3c3692492143de3c8547e7fdc99654386f181ad7681e7f075d5810",
            ApiKeySignature.Sign(Secret, Timestamp, "POST", "/api/v1/orders?dry=1", Body));
        Assert.Equal("ff3f8edf9b464cdf87fad21545dbf9fdadd0a1a3ca216a5ae922ba04f41c4def",
            ApiKeySignature.Sign(Secret, Timestamp, "GET", "/api/v1/wallet/balances", ""));
    }

    [Fact]
    public void Verification_accepts_the_request_signed_and_nothing_else()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var signature = ApiKeySignature.Sign(Secret, Timestamp, "POST", "/api/v1/orders", body);
        Assert.True(ApiKeySignature.Verify(Secret, Timestamp, "POST", "/api/v1/orders", body, signature));

        Assert.False(ApiKeySignature.Verify(Secret, Timestamp + 1, "POST", "/api/v1/orders", body, signature));
        Assert.False(ApiKeySignature.Verify(Secret, Timestamp, "PUT", "/api/v1/orders", body, signature));
        Assert.False(ApiKeySignature.Verify(Secret, Timestamp, "POST", "/api/v1/orders?x=1", body, signature));
        Assert.False(ApiKeySignature.Verify(Secret, Timestamp, "POST", "/api/v1/orders", Encoding.UTF8.GetBytes(Body + " "), signature));
        Assert.False(ApiKeySignature.Verify(Secret[..^1] + "7", Timestamp, "POST", "/api/v1/orders", body, signature));
        // One spelling per signature: upper case would be a second, unseen replay key.
        Assert.False(ApiKeySignature.Verify(Secret, Timestamp, "POST", "/api/v1/orders", body, signature.ToUpperInvariant()));
        Assert.False(ApiKeySignature.Verify(Secret, Timestamp, "POST", "/api/v1/orders", body, signature[..^2]));
        Assert.False(ApiKeySignature.Verify(Secret, Timestamp, "POST", "/api/v1/orders", body, "zz" + signature[2..]));
    }

    [Theory]
    [InlineData(0, 5000, true)]
    [InlineData(5000, 5000, true)]
    [InlineData(-5000, 5000, true)]
    [InlineData(5001, 5000, false)]
    [InlineData(-5001, 5000, false)]
    [InlineData(59_000, 60_000, true)]
    public void The_timestamp_must_lie_within_the_window_either_side_of_now(long offset, int window, bool within) =>
        Assert.Equal(within, ApiKeySignature.IsWithinWindow(Timestamp + offset, Timestamp, window));

    [Fact]
    public void Key_ids_and_secrets_have_the_documented_shape_and_do_not_repeat()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => ApiKeySignature.NewKeyId()).ToList();
        Assert.All(ids, id => Assert.Matches("^ck_[a-z2-7]{20}$", id));
        Assert.All(ids, id => Assert.True(ApiKeySignature.IsWellFormedKeyId(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.False(ApiKeySignature.IsWellFormedKeyId("ck_ABCDEFGHIJKLMNOPQRST"));
        Assert.False(ApiKeySignature.IsWellFormedKeyId("ck_abc"));

        var secret = ApiKeySignature.NewSecret();
        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        Assert.Equal(32, Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "=").Length);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7/32", true)]
    [InlineData("203.0.113.8", "203.0.113.7/32", false)]
    [InlineData("203.0.113.200", "203.0.113.0/24", true)]
    [InlineData("::ffff:203.0.113.200", "203.0.113.0/24", true)]
    [InlineData("2001:db8::1", "2001:db8::/32", true)]
    [InlineData("2001:db9::1", "2001:db8::/32", false)]
    public void The_allow_list_matches_addresses_by_block(string address, string block, bool allowed) =>
        Assert.Equal(allowed, ApiKeyAuthenticationHandler.IsAllowed(IPAddress.Parse(address), [block]));
}
