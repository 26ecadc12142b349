using System.Net;
using Coinage.ApiService.Tests.Identity;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Security;

/// <summary>Issue 21, item 5: nothing meant for one user may be stored by a browser or a shared cache.</summary>
public sealed class PrivateResponseCachingTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Every_authenticated_answer_is_no_store_and_public_market_data_is_left_alone()
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await client.SignedInUserAsync(NewEmail());

        foreach (var path in new[]
        {
            "/api/v1/wallet/balances", "/api/v1/wallet/ledger", "/api/v1/wallet/deposits", "/api/v1/wallet/withdrawals", "/api/v1/wallet/withdrawal-addresses",
            "/api/v1/orders", "/api/v1/orders/open", "/api/v1/fills", "/api/v1/privacy/exports", "/api/v1/account/profile",
            // A public answer asked for with a token is the user's copy all the same.
            "/api/v1/markets",
        })
        {
            using var response = await client.SendAsync(HttpMethod.Get, path, access);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore, $"{path}: Cache-Control {response.Headers.CacheControl}");
            Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
        }
        // Refused for want of a token: still about a private resource.
        using (var anonymous = await client.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.True(anonymous.Headers.CacheControl?.NoStore);
        }
        using (var markets = await client.SendAsync(HttpMethod.Get, "/api/v1/markets", null))
        {
            Assert.Equal(HttpStatusCode.OK, markets.StatusCode);
            Assert.False(markets.Headers.CacheControl?.NoStore ?? false);
        }
    }
}
