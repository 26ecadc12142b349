using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>
/// The client address that rate limits, sessions and the audit log see: <c>X-Forwarded-For</c> only from the proxies in
/// <c>Coinage:ForwardedHeaders</c>, never from whoever can reach the API.
/// </summary>
public sealed class ClientAddressTests(InfrastructureFixture infrastructure)
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.1.2.3");

    [Fact]
    public async Task A_loopback_caller_that_is_not_a_configured_proxy_cannot_pick_its_address()
    {
        await using var factory = Factory(IPAddress.Loopback, new() { ["Coinage:ForwardedHeaders:KnownProxies"] = "" });
        var client = Client(factory, forwardedFor: "203.0.113.7");

        Assert.Equal("127.0.0.1", await SessionAddressAsync(client));
    }

    [Fact]
    public async Task A_configured_proxy_network_passes_on_the_client_address()
    {
        await using var factory = Factory(Proxy, new() { ["Coinage:ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8" });
        var client = Client(factory, forwardedFor: "203.0.113.7");

        Assert.Equal("203.0.113.7", await SessionAddressAsync(client));
    }

    [Fact]
    public async Task The_per_address_sign_in_limit_counts_each_client_behind_the_proxy_apart()
    {
        await using var factory = Factory(Proxy, new()
        {
            ["Coinage:ForwardedHeaders:KnownProxies"] = Proxy.ToString(),
            ["Coinage:RateLimits:Policies:sign-in-ip:Limit"] = "1",
        });
        var email = NewEmail("proxy");
        await Client(factory, "203.0.113.1").RegisterAsync(email);

        await Client(factory, "203.0.113.1").LoginAsync(email);
        await Client(factory, "203.0.113.2").LoginAsync(email);
        using var again = await Client(factory, "203.0.113.1").PostAsync("/api/v1/auth/login", new { email, password = Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
    }

    [Fact]
    public void A_proxy_setting_that_is_not_an_address_stops_the_service()
    {
        using var factory = Factory(Proxy, new() { ["Coinage:ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/33" });

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Coinage:ForwardedHeaders:KnownNetworks", failure.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string?> SessionAddressAsync(IdentityTestClient client)
    {
        var (access, _) = await client.SignedInUserAsync(NewEmail("address"));
        using var response = await client.SendAsync(HttpMethod.Get, "/api/v1/account/sessions", access);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).EnumerateArray().Single().GetProperty("ipAddress").GetString();
    }

    /// <summary>The API with every connection coming from <paramref name="peer"/> (TestServer has no socket to take it from).</summary>
    private ApiFactory Factory(IPAddress peer, Dictionary<string, string?> settings) =>
        new(infrastructure, settings, builder => builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ConnectionFrom(peer))));

    private IdentityTestClient Client(ApiFactory factory, string forwardedFor)
    {
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}
