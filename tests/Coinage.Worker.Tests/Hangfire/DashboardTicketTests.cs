using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Coinage.Worker.Tests.Hangfire;

/// <summary>
/// The Worker's side of the Hangfire tickets, with tickets minted here the way the ApiService
/// mints them (the cross-service test is in Coinage.ApiService.Tests).
/// </summary>
public sealed class DashboardTicketTests(InfrastructureFixture infrastructure)
{
    private const string SigningKey = "worker-test-signing-key-0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_ticket_or_cookie_the_dashboard_is_closed_even_to_loopback()
    {
        await using var worker = Worker();
        using var response = await Browser(worker).GetAsync(new Uri("/hangfire", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_browser_without_a_ticket_or_cookie_is_sent_to_the_web_front_end_page_that_gets_one_and_scripts_keep_their_401()
    {
        await using var worker = Worker();
        var browser = Browser(worker);
        await WaitUntilReadyAsync(browser);
        foreach (var page in new[] { "/hangfire", "/hangfire/recurring" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, page);
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
            using var response = await browser.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(new Uri(WorkerFactory.WebBaseUrl + "/admin/hangfire"), response.Headers.Location);
        }
        // The dashboard's own polling is no page: a redirect to HTML would only confuse its script.
        using var stats = new HttpRequestMessage(HttpMethod.Post, "/hangfire/stats") { Content = new FormUrlEncodedContent([]) };
        stats.Headers.Accept.ParseAdd("application/json");
        using var polled = await browser.SendAsync(stats, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, polled.StatusCode);
    }

    [Fact]
    public async Task A_used_ticket_opened_in_a_browser_says_why_and_links_to_a_new_one_without_redirecting()
    {
        await using var worker = Worker();
        var browser = Browser(worker);
        await WaitUntilReadyAsync(browser);
        var ticket = await IssueAsync(["Admin"]);
        using (var first = await Browser(worker).GetAsync(TicketUri(ticket), Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, TicketUri(ticket));
        request.Headers.Accept.ParseAdd("text/html");
        using var replay = await browser.SendAsync(request, Ct);

        // Not a redirect: a ticket this Worker cannot validate would otherwise bounce between the two forever.
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("text/html", replay.Content.Headers.ContentType?.MediaType);
        var body = await replay.Content.ReadAsStringAsync(Ct);
        Assert.Contains("expired or was already used", body, StringComparison.Ordinal);
        Assert.Contains($"href=\"{WorkerFactory.WebBaseUrl}/admin/hangfire\"", body, StringComparison.Ordinal);
        Assert.False(replay.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task An_admin_ticket_sets_the_dashboard_cookie_once()
    {
        await using var worker = Worker();
        var browser = Browser(worker);
        await WaitUntilReadyAsync(browser);
        var ticket = await IssueAsync(["Trader", "Admin"]);

        using (var exchange = await browser.GetAsync(TicketUri(ticket), Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, exchange.StatusCode);
            var cookie = Assert.Single(exchange.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith("coinage-hangfire=", cookie, StringComparison.Ordinal);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/hangfire", cookie, StringComparison.OrdinalIgnoreCase);
        }
        using (var dashboard = await browser.GetAsync(new Uri("/hangfire", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        }
        using (var replay = await Browser(worker).GetAsync(TicketUri(ticket), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        }
    }

    [Fact]
    public async Task A_ticket_without_the_admin_role_is_forbidden_and_sets_no_cookie()
    {
        await using var worker = Worker();
        var browser = Browser(worker);
        using (var response = await browser.GetAsync(TicketUri(await IssueAsync(["Trader", "Support"])), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }
        using var dashboard = await browser.GetAsync(new Uri("/hangfire", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
    }

    [Fact]
    public async Task Expired_wrongly_signed_wrong_audience_and_unrecorded_tickets_are_refused()
    {
        await using var worker = Worker();
        var browser = Browser(worker);
        var refused = new[]
        {
            await IssueAsync(["Admin"], lifetime: TimeSpan.FromSeconds(-30)),
            await IssueAsync(["Admin"], key: "another-signing-key-that-nobody-configured"),
            await IssueAsync(["Admin"], audience: "coinage-api"),
            await IssueAsync(["Admin"], record: false),
            "not-a-jwt",
        };
        foreach (var ticket in refused)
        {
            using var response = await browser.GetAsync(TicketUri(ticket), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }
    }

    [Fact]
    public async Task Allow_local_anonymous_opens_the_dashboard_to_loopback_in_development_only()
    {
        await using var development = Worker(allowLocalAnonymous: true);
        await WaitUntilReadyAsync(Browser(development));
        Assert.Equal(StatusCodes.Status200OK, await GetFromAsync(development, IPAddress.Loopback));
        Assert.Equal(StatusCodes.Status401Unauthorized, await GetFromAsync(development, IPAddress.Parse("10.1.2.3")));
        await using var production = Worker(allowLocalAnonymous: true, environment: "Production");
        Assert.Equal(StatusCodes.Status401Unauthorized, await GetFromAsync(production, IPAddress.Loopback));
        // Off by default: loopback alone opens nothing.
        await using var byDefault = Worker();
        Assert.Equal(StatusCodes.Status401Unauthorized, await GetFromAsync(byDefault, IPAddress.Loopback));
    }

    private static async Task<int> GetFromAsync(WebApplicationFactory<Program> worker, IPAddress remote)
    {
        var context = await worker.Server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Get;
            http.Request.Path = "/hangfire";
            http.Connection.RemoteIpAddress = remote;
        }, Ct);
        return context.Response.StatusCode;
    }

    private WebApplicationFactory<Program> Worker(bool allowLocalAnonymous = false, string environment = "Development") =>
        new WorkerFactory(infrastructure, environment).WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Coinage:Jwt:SigningKey", SigningKey);
            builder.UseSetting("Coinage:Hangfire:AllowLocalAnonymous", allowLocalAnonymous ? "true" : "false");
        });

    private static HttpClient Browser(WebApplicationFactory<Program> worker) =>
        worker.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static Uri TicketUri(string ticket) => new($"/hangfire?ticket={Uri.EscapeDataString(ticket)}", UriKind.Relative);

    /// <summary>The dashboard reads Hangfire's schema, which the Worker installs once it is ready.</summary>
    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        for (var i = 0; i < 300; i++)
        {
            using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), Ct);
            if (health.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>What <c>POST /api/v1/admin/ops/hangfire-ticket</c> does: a signed JWT, its jti recorded in Redis.</summary>
    private async Task<string> IssueAsync(string[] roles, TimeSpan? lifetime = null, string key = SigningKey, string audience = "coinage-hangfire", bool record = true)
    {
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromSeconds(60));
        var jti = Guid.NewGuid().ToString("N");
        var bytes = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(key), 32, info: Encoding.UTF8.GetBytes("coinage-jwt-hs256"));
        var ticket = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "coinage",
            Audience = audience,
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(1) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(1) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(bytes), SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["jti"] = jti, ["role"] = roles },
        });
        if (record)
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.RedisConnectionString);
            await redis.GetDatabase().StringSetAsync("coinage:hangfire-ticket:" + jti, "test", TimeSpan.FromMinutes(2));
        }
        return ticket;
    }
}
