extern alias worker;

using System.Net;
using Coinage.ApiService.Tests.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using StackExchange.Redis;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Observability;

/// <summary>The API issues a ticket to an Admin; the Worker exchanges it, once, for its dashboard cookie.</summary>
public sealed class HangfireTicketTests(InfrastructureFixture infrastructure)
{
    private const string AdminPassword = "bootstrap admin passphrase 2026";

    [Fact]
    public async Task An_admin_ticket_from_the_api_opens_the_workers_dashboard_once()
    {
        var adminEmail = NewEmail("ops-admin");
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
            ["Coinage:Hangfire:BaseUrl"] = "http://worker.coinage.test/",
        });
        var client = new IdentityTestClient(api.CreateClient(), infrastructure.PostgresConnectionString);
        var adminAccess = await client.BootstrapAdminAsync(adminEmail, AdminPassword);
        var (traderAccess, _) = await client.SignedInUserAsync(NewEmail("ops-trader"));

        using (var forbidden = await client.SendAsync(HttpMethod.Post, "/api/v1/admin/ops/hangfire-ticket", traderAccess))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using (var anonymous = await client.SendAsync(HttpMethod.Post, "/api/v1/admin/ops/hangfire-ticket", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        string ticket;
        using (var issued = await client.SendAsync(HttpMethod.Post, "/api/v1/admin/ops/hangfire-ticket", adminAccess))
        {
            Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
            var body = await JsonAsync(issued);
            ticket = body.GetProperty("ticket").GetString()!;
            Assert.Equal($"http://worker.coinage.test/hangfire?ticket={ticket}", body.GetProperty("url").GetString());
            var expiresIn = body.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow;
            Assert.InRange(expiresIn, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
        }
        var jwt = new JsonWebToken(ticket);
        Assert.Equal("coinage-hangfire", Assert.Single(jwt.Audiences));
        Assert.Contains(jwt.Claims, c => c.Type == "role" && c.Value == "Admin");
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.RedisConnectionString))
        {
            Assert.True(await redis.GetDatabase().KeyExistsAsync("coinage:hangfire-ticket:" + jwt.Id));
        }
        await using var workerHost = new WebApplicationFactory<worker::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:coinagedb", infrastructure.PostgresConnectionString);
            builder.UseSetting("ConnectionStrings:redis", infrastructure.RedisConnectionString);
            builder.UseSetting("ConnectionStrings:smtp", infrastructure.SmtpConnectionString);
            builder.UseSetting("Coinage:WebBaseUrl", "http://web.coinage.test");
            builder.UseSetting("Coinage:Jwt:SigningKey", ApiFactory.JwtSigningKey);
        });
        var browser = workerHost.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        // The dashboard reads Hangfire's schema, installed once the Worker is ready.
        for (var i = 0; i < 300; i++)
        {
            using var health = await browser.GetAsync(new Uri("/health", UriKind.Relative), Ct);
            if (health.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
            await Task.Delay(100, Ct);
        }
        using (var noTicket = await browser.GetAsync(new Uri("/hangfire", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noTicket.StatusCode);
        }
        // An access token is no ticket: wrong audience.
        using (var accessToken = await browser.GetAsync(new Uri($"/hangfire?ticket={adminAccess}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, accessToken.StatusCode);
        }

        using (var exchange = await browser.GetAsync(new Uri($"/hangfire?ticket={Uri.EscapeDataString(ticket)}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, exchange.StatusCode);
            Assert.Equal("/hangfire", exchange.Headers.Location!.OriginalString);
            var cookie = Assert.Single(exchange.Headers.GetValues("Set-Cookie"));
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/hangfire", cookie, StringComparison.OrdinalIgnoreCase);
        }
        using (var dashboard = await browser.GetAsync(new Uri("/hangfire", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            Assert.Contains("Coinage jobs", await dashboard.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        var otherBrowser = workerHost.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var replay = await otherBrowser.GetAsync(new Uri($"/hangfire?ticket={Uri.EscapeDataString(ticket)}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        }
    }
}
