using System.Net;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Observability;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Privacy;

public sealed class ConsentTests(InfrastructureFixture infrastructure)
{
    private const string ClientIp = "198.51.100.41";

    [Fact]
    public async Task Consents_are_changed_with_their_version_and_every_change_is_kept_with_time_address_and_flow()
    {
        await using var api = new ApiFactory(infrastructure);
        await using var factory = api.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter, LoopbackProxyStartupFilter>()));
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", ClientIp);
        var (access, _) = await client.SignedInUserAsync(NewEmail("consent"));

        var consents = await GetAsync(client, "/api/v1/privacy/consents", access);
        Assert.False(consents.GetProperty("acceptanceRequired").GetBoolean());
        var items = consents.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("purpose").GetString()!);
        Assert.Equal(["terms", "privacy", "marketing", "analytics"], items.Keys);
        Assert.True(items["terms"].GetProperty("granted").GetBoolean());
        Assert.True(items["terms"].GetProperty("required").GetBoolean());
        Assert.False(items["marketing"].GetProperty("granted").GetBoolean());
        Assert.Equal(JsonValueKindNull, items["analytics"].GetProperty("acceptedVersion").ValueKind);

        using (var grant = await client.SendAsync(HttpMethod.Put, "/api/v1/privacy/consents/marketing", access, new { granted = true, version = "1" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, grant.StatusCode);
        }
        using (var withdraw = await client.SendAsync(HttpMethod.Put, "/api/v1/privacy/consents/marketing", access, new { granted = false, version = "1" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, withdraw.StatusCode);
        }
        using (var analytics = await client.SendAsync(HttpMethod.Put, "/api/v1/privacy/consents/analytics", access, new { granted = true, version = "1" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, analytics.StatusCode);
        }
        using (var terms = await client.SendAsync(HttpMethod.Put, "/api/v1/privacy/consents/terms", access, new { granted = false, version = TermsVersion }))
        {
            Assert.Equal(HttpStatusCode.Conflict, terms.StatusCode);
            Assert.Equal("consent_required", await CodeAsync(terms));
        }
        using (var unknown = await client.SendAsync(HttpMethod.Put, "/api/v1/privacy/consents/telepathy", access, new { granted = true, version = "1" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("unknown_purpose", await CodeAsync(unknown));
        }
        using (var stale = await client.SendAsync(HttpMethod.Put, "/api/v1/privacy/consents/marketing", access, new { granted = true, version = "0" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
            Assert.True((await JsonAsync(stale)).GetProperty("errors").TryGetProperty("version", out _));
        }
        using (var missing = await client.SendAsync(HttpMethod.Put, "/api/v1/privacy/consents/marketing", access, new { version = "1" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.True((await JsonAsync(missing)).GetProperty("errors").TryGetProperty("granted", out _));
        }

        var after = (await GetAsync(client, "/api/v1/privacy/consents", access)).GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("purpose").GetString()!);
        Assert.False(after["marketing"].GetProperty("granted").GetBoolean());
        Assert.True(after["analytics"].GetProperty("granted").GetBoolean());

        // Newest first, paged: 3 at registration + 3 changes; the refused and invalid ones left no trace.
        var first = await GetAsync(client, "/api/v1/privacy/consents/history?limit=4", access);
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.NotNull(cursor);
        var second = await GetAsync(client, $"/api/v1/privacy/consents/history?limit=4&cursor={cursor}", access);
        Assert.Equal(JsonValueKindNull, second.GetProperty("nextCursor").ValueKind);
        var history = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).ToList();
        Assert.Equal(
            ["analytics:True:settings", "marketing:False:settings", "marketing:True:settings"],
            history.Take(3).Select(h => $"{h.GetProperty("purpose").GetString()}:{h.GetProperty("granted").GetBoolean()}:{h.GetProperty("source").GetString()}"));
        Assert.Equal(6, history.Count);
        Assert.All(history, h => Assert.Equal(ClientIp, h.GetProperty("ipAddress").GetString()));
        Assert.Equal(3, history.Count(h => h.GetProperty("source").GetString() == "registration"));
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM users WHERE email = @e AND marketing_consent", ("e", (await GetAsync(client, "/api/v1/account/profile", access)).GetProperty("email").GetString()!)));
        Assert.Equal(3, await client.CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'privacy.consent_changed' AND actor_user_id = (SELECT id FROM users WHERE email = @e)",
            ("e", (await GetAsync(client, "/api/v1/account/profile", access)).GetProperty("email").GetString()!)));
    }

    [Fact]
    public async Task New_terms_are_asked_for_at_the_next_sign_in_and_accepted_once()
    {
        var email = NewEmail("terms");
        await using (var before = new ApiFactory(infrastructure))
        {
            var client = new IdentityTestClient(before.CreateClient(), infrastructure.PostgresConnectionString);
            await client.RegisterAsync(email);
            var login = await client.LoginAsync(email);
            Assert.Equal(JsonValueKindNull, login.GetProperty("code").ValueKind);
        }

        await using var after = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Identity:TermsVersion"] = "2027-01-01" });
        var next = new IdentityTestClient(after.CreateClient(), infrastructure.PostgresConnectionString);
        var answer = await next.LoginAsync(email);
        Assert.Equal("consent_required", answer.GetProperty("code").GetString());
        var required = Assert.Single(answer.GetProperty("consentRequired").EnumerateArray());
        Assert.Equal("terms", required.GetProperty("purpose").GetString());
        Assert.Equal("2027-01-01", required.GetProperty("version").GetString());
        var access = answer.GetProperty("accessToken").GetString()!;
        Assert.True((await GetAsync(next, "/api/v1/privacy/consents", access)).GetProperty("acceptanceRequired").GetBoolean());

        using (var old = await next.PostAsync("/api/v1/privacy/consents/accept", new { termsVersion = TermsVersion, privacyVersion = TermsVersion }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
            Assert.True((await JsonAsync(old)).GetProperty("errors").TryGetProperty("termsVersion", out _));
        }
        using (var accept = await next.PostAsync("/api/v1/privacy/consents/accept", new { termsVersion = "2027-01-01", privacyVersion = TermsVersion }, access))
        {
            Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
            Assert.False((await JsonAsync(accept)).GetProperty("acceptanceRequired").GetBoolean());
        }
        var again = await next.LoginAsync(email);
        Assert.Equal(JsonValueKindNull, again.GetProperty("code").ValueKind);
        var history = (await GetAsync(next, "/api/v1/privacy/consents/history", access)).GetProperty("items").EnumerateArray().ToList();
        var accepted = Assert.Single(history, h => h.GetProperty("source").GetString() == "sign_in");
        Assert.Equal("terms", accepted.GetProperty("purpose").GetString());
        Assert.Equal("2027-01-01", accepted.GetProperty("version").GetString());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    internal static async Task<System.Text.Json.JsonElement> GetAsync(IdentityTestClient client, string path, string access)
    {
        using var response = await client.SendAsync(HttpMethod.Get, path, access);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {body}");
        return body;
    }
}
