using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Trading;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Search;

/// <summary>
/// The search endpoints answered from PostgreSQL (no Elasticsearch in the test environment, or one
/// that does not answer): real orders matched by the Worker's matching host, real audit entries.
/// </summary>
public sealed class SearchApiTests(InfrastructureFixture infrastructure)
{
    private const string AdminPassword = "bootstrap admin passphrase 2026";

    private string Db => infrastructure.PostgresConnectionString;

    [Fact]
    public async Task A_trader_searches_their_own_orders_and_trades_from_postgresql_with_filters_and_cursors()
    {
        // A database of its own: other tests' resting orders would otherwise take part in the match.
        var db = await infrastructure.CreateDatabaseAsync("search");
        await using var api = new ApiFactory(db, infrastructure.RedisConnectionString);
        _ = api.Services; // migrates the new database
        await using var worker = new MatchingWorkerFactory(db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var maker = await Trader.CreateAsync(api, db, "search-maker");
        var taker = await Trader.CreateAsync(api, db, "search-taker");
        await maker.DepositAsync("ETH", "3");
        await taker.DepositAsync("BTC", "1");
        var sell = await maker.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.05", quantity = "1", clientOrderId = "resting-1" });
        await ExchangeDatabase.WaitProcessedAsync(db);
        var other = await maker.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.09", quantity = "1" });
        await ExchangeDatabase.WaitProcessedAsync(db);
        var buy = await taker.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.05", quantity = "1", clientOrderId = "taking-1" });
        await ExchangeDatabase.WaitProcessedAsync(db);

        using (var response = await maker.Http.GetAsync(new Uri("/api/v1/search/orders?market=eth-btc&status=filled", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("postgresql", Assert.Single(response.Headers.GetValues("X-Search-Source")));
            var order = Assert.Single((await JsonAsync(response)).GetProperty("items").EnumerateArray());
            Assert.Equal((sell.GetProperty("id").GetString(), "resting-1", "filled", "0.05", "1"),
                (order.GetProperty("id").GetString(), order.GetProperty("clientOrderId").GetString(), order.GetProperty("status").GetString(),
                 order.GetProperty("averagePrice").GetString(), order.GetProperty("filledQuantity").GetString()));
        }
        // Newest first, one per page, the cursor leads to the older order and then to the end.
        var first = await maker.GetAsync("/api/v1/search/orders?limit=1");
        Assert.Equal(other.GetProperty("id").GetString(), first.GetProperty("items")[0].GetProperty("id").GetString());
        var second = await maker.GetAsync($"/api/v1/search/orders?limit=1&cursor={first.GetProperty("nextCursor").GetString()}");
        Assert.Equal(sell.GetProperty("id").GetString(), second.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        // By client order id or id; never someone else's.
        Assert.Single((await maker.GetAsync("/api/v1/search/orders?q=resting-1")).GetProperty("items").EnumerateArray());
        Assert.Single((await maker.GetAsync($"/api/v1/search/orders?q={other.GetProperty("id").GetString()}")).GetProperty("items").EnumerateArray());
        Assert.Empty((await maker.GetAsync("/api/v1/search/orders?q=taking-1")).GetProperty("items").EnumerateArray());
        Assert.Empty((await maker.GetAsync("/api/v1/search/orders?side=buy")).GetProperty("items").EnumerateArray());

        var makerFill = Assert.Single((await maker.GetAsync("/api/v1/search/trades?liquidity=maker&market=ETH-BTC")).GetProperty("items").EnumerateArray());
        Assert.Equal(("maker", "sell", sell.GetProperty("id").GetString(), "0.05"),
            (makerFill.GetProperty("liquidity").GetString(), makerFill.GetProperty("side").GetString(), makerFill.GetProperty("orderId").GetString(),
             makerFill.GetProperty("price").GetString()));
        Assert.Empty((await maker.GetAsync("/api/v1/search/trades?liquidity=taker")).GetProperty("items").EnumerateArray());
        var takerFill = Assert.Single((await taker.GetAsync("/api/v1/search/trades?side=buy")).GetProperty("items").EnumerateArray());
        Assert.Equal((makerFill.GetProperty("id").GetString(), "taker", buy.GetProperty("id").GetString()),
            (takerFill.GetProperty("id").GetString(), takerFill.GetProperty("liquidity").GetString(), takerFill.GetProperty("orderId").GetString()));
        Assert.Empty((await taker.GetAsync($"/api/v1/search/trades?to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}"))
            .GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/v1/search/orders?side=up", "side")]
    [InlineData("/api/v1/search/orders?status=done", "status")]
    [InlineData("/api/v1/search/orders?limit=0", "limit")]
    [InlineData("/api/v1/search/orders?limit=101", "limit")]
    [InlineData("/api/v1/search/orders?cursor=abc", "cursor")]
    [InlineData("/api/v1/search/orders?cursor=-5", "cursor")]
    [InlineData("/api/v1/search/trades?liquidity=both", "liquidity")]
    [InlineData("/api/v1/search/trades?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to")]
    public async Task Bad_search_parameters_are_400_with_the_field(string path, string field)
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db, "search-bad");
        using var response = await trader.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("validation_failed", body.GetProperty("code").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.ToString());
    }

    [Fact]
    public async Task Unknown_markets_are_404_and_anonymous_callers_401()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db, "search-404");
        using var unknown = await trader.Http.GetAsync(new Uri("/api/v1/search/trades?market=DOGE-USD", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown_market", (await JsonAsync(unknown)).GetProperty("code").GetString());
        using var anonymous = await api.CreateClient().GetAsync(new Uri("/api/v1/search/orders", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var notCompliance = await trader.Http.GetAsync(new Uri("/api/v1/compliance/audit/search", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, notCompliance.StatusCode);
    }

    [Fact]
    public async Task Compliance_searches_the_audit_log_with_counts_per_action_and_erased_users_are_only_found_by_pseudonym()
    {
        var adminEmail = IdentityTestClient.NewEmail("search-admin");
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        var identity = new IdentityTestClient(api.CreateClient(), Db);
        var admin = await identity.BootstrapAdminAsync(adminEmail, AdminPassword);
        var trader = await Trader.CreateAsync(api, Db, "search-audited");
        await trader.DepositAsync("USD", "500");
        await trader.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "100", quantity = "0.5" });
        await trader.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "101", quantity = "0.5" });
        var userId = UserId(trader);

        var all = await AuditAsync(identity, admin, $"q={userId}");
        Assert.Equal("postgresql", all.Source);
        var actions = all.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ToList();
        Assert.Contains("order.placed", actions);
        Assert.All(all.Body.GetProperty("items").EnumerateArray(), i =>
            Assert.True(i.GetProperty("actorUserId").GetString() == userId || i.GetProperty("subjectUserId").GetString() == userId));
        var counts = all.Body.GetProperty("aggregations").GetProperty("actions").EnumerateArray()
            .ToDictionary(a => a.GetProperty("action").GetString()!, a => a.GetProperty("count").GetInt64());
        Assert.Equal(actions.Count(a => a == "order.placed"), counts["order.placed"]);

        // Words of the action and details, with an action filter and a time range.
        var placed = await AuditAsync(identity, admin, $"q={Uri.EscapeDataString("placed BTC-USD")}&action=order.placed&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}");
        Assert.NotEmpty(placed.Body.GetProperty("items").EnumerateArray());
        Assert.All(placed.Body.GetProperty("items").EnumerateArray(), i => Assert.Equal("order.placed", i.GetProperty("action").GetString()));
        var page = await AuditAsync(identity, admin, $"q={userId}&limit=1&action=order.placed");
        var next = await AuditAsync(identity, admin, $"q={userId}&limit=1&action=order.placed&cursor={page.Body.GetProperty("nextCursor").GetString()}");
        Assert.True(long.Parse(next.Body.GetProperty("items")[0].GetProperty("sequence").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            < long.Parse(page.Body.GetProperty("items")[0].GetProperty("sequence").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        // Erased (contract D, recorded by the Worker's indexer): no longer found by id, IP or details; the pseudonym shows instead.
        var pseudonym = $"erased-{Guid.NewGuid():N}"[..20];
        await ExchangeDatabase.ScalarAsync<int>(Db, "INSERT INTO search_erasures (user_id, pseudonym, erased_at) VALUES (@u, @p, now()) RETURNING 1",
            ("u", Guid.Parse(userId)), ("p", pseudonym));
        Assert.Empty((await AuditAsync(identity, admin, $"q={userId}")).Body.GetProperty("items").EnumerateArray());
        var erased = await AuditAsync(identity, admin, $"q={pseudonym}");
        Assert.Equal(actions.Count, erased.Body.GetProperty("items").GetArrayLength());
        Assert.All(erased.Body.GetProperty("items").EnumerateArray(), i =>
        {
            Assert.Equal("{}", i.GetProperty("data").GetString());
            Assert.Equal(JsonValueKind.Null, i.GetProperty("ipAddress").ValueKind);
            Assert.DoesNotContain(userId, i.ToString(), StringComparison.Ordinal);
        });

        using var bad = await identity.SendAsync(HttpMethod.Get, "/api/v1/compliance/audit/search?action=&q=" + new string('x', 201), admin);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await JsonAsync(bad);
        Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _));
    }

    [Fact]
    public async Task With_elasticsearch_configured_but_not_answering_search_falls_back_and_health_stays_ok()
    {
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["ConnectionStrings:elasticsearch"] = $"http://elastic:secret@127.0.0.1:{ClosedPort()}",
        });
        var trader = await Trader.CreateAsync(api, Db, "search-es-down");
        using (var response = await trader.Http.GetAsync(new Uri("/api/v1/search/orders", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("postgresql", Assert.Single(response.Headers.GetValues("X-Search-Source")));
        }
        using var health = await api.CreateClient().GetAsync(new Uri("/health", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static async Task<(JsonElement Body, string Source)> AuditAsync(IdentityTestClient identity, string access, string query)
    {
        using var response = await identity.SendAsync(HttpMethod.Get, $"/api/v1/compliance/audit/search?{query}", access);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return (body, response.Headers.GetValues("X-Search-Source").Single());
    }

    /// <summary>The <c>sub</c> of the trader's access token.</summary>
    private static string UserId(Trader trader)
    {
        var payload = trader.Http.DefaultRequestHeaders.Authorization!.Parameter!.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        return json.RootElement.GetProperty("sub").GetString()!;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
