using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Coinage.ApiService.Tests.Identity;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>What the API accepts and refuses, with stable codes, and that a refusal changes nothing.</summary>
public sealed class TradingApiTests(InfrastructureFixture infrastructure)
{
    private string Db => infrastructure.PostgresConnectionString;

    [Fact]
    public async Task Markets_are_seeded_with_grids_minimums_and_fees_as_strings()
    {
        await using var api = new ApiFactory(infrastructure);
        using var http = api.CreateClient();
        var markets = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/markets", Ct);
        var symbols = markets.EnumerateArray().Select(m => m.GetProperty("symbol").GetString()).ToList();
        Assert.Contains("BTC-USD", symbols);
        Assert.Contains("ETH-USD", symbols);
        Assert.Contains("ETH-BTC", symbols);
        var btc = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/markets/btc-usd", Ct);
        Assert.Equal(("1", "0.01", "10", "20"), (btc.GetProperty("tickSize").GetString(), btc.GetProperty("lotSize").GetString(),
            btc.GetProperty("makerFeeBps").GetString(), btc.GetProperty("takerFeeBps").GetString()));
        using var unknown = await http.GetAsync(new Uri("/api/v1/markets/DOGE-USD", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_deposit_retried_with_the_same_idempotency_key_is_booked_once()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db);
        var key = Guid.NewGuid().ToString();
        using var first = await trader.DepositRawAsync("USD", "250.50", key);
        using var retry = await trader.DepositRawAsync("USD", "250.50", key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal((await JsonAsync(first)).GetProperty("id").GetString(), (await JsonAsync(retry)).GetProperty("id").GetString());
        Assert.Equal("confirmed", (await JsonAsync(retry)).GetProperty("status").GetString());
        using var reused = await trader.DepositRawAsync("USD", "999", key);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("idempotency_key_reused", (await JsonAsync(reused)).GetProperty("code").GetString());
        using var missing = await trader.DepositRawAsync("USD", "1", null);
        Assert.Equal("idempotency_key_required", (await JsonAsync(missing)).GetProperty("code").GetString());
        foreach (var bad in new[] { "0", "-5", "1.001", "1e3", "abc", "10000000000000000" })
        {
            using var response = await trader.DepositRawAsync("USD", bad, Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_amount", (await JsonAsync(response)).GetProperty("code").GetString());
        }
        using var unknownAsset = await trader.DepositRawAsync("DOGE", "1", Guid.NewGuid().ToString());
        Assert.Equal("unknown_asset", (await JsonAsync(unknownAsset)).GetProperty("code").GetString());

        Assert.Equal((250.50m, 0m), (await trader.BalancesAsync())["USD"]);
        var ledger = (await trader.GetAsync("/api/v1/wallet/ledger")).GetProperty("items");
        var line = Assert.Single(ledger.EnumerateArray());
        Assert.Equal(("deposit", "250.5"), (line.GetProperty("kind").GetString(), line.GetProperty("amount").GetString()));
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task The_same_client_order_id_returns_the_same_order_and_never_holds_twice()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db);
        await trader.DepositAsync("USD", "1000");
        var order = new { market = "BTC-USD", side = "buy", type = "limit", price = "100", quantity = "1", clientOrderId = "retry-me" };
        var placed = await trader.PlaceAsync(order);
        using var retry = await trader.PlaceRawAsync(order);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(placed.GetProperty("id").GetString(), (await JsonAsync(retry)).GetProperty("id").GetString());
        using var other = await trader.PlaceRawAsync(order with { price = "101" });
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("duplicate_client_order_id", (await JsonAsync(other)).GetProperty("code").GetString());

        // 100 × 1 + 0.2 % = 100.20 held once.
        Assert.Equal((899.80m, 100.20m), (await trader.BalancesAsync())["USD"]);
        var history = (await trader.GetAsync("/api/v1/orders")).GetProperty("items");
        Assert.Single(history.EnumerateArray());
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Invalid_orders_are_refused_with_stable_codes_and_change_nothing()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db);
        await trader.DepositAsync("USD", "100");
        await trader.DepositAsync("BTC", "1");
        var before = await trader.BalancesAsync();
        var commandsBefore = await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM market_commands");
        var cases = new (object Body, HttpStatusCode Status, string Code)[]
        {
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "100.5", quantity = "0.1" }, HttpStatusCode.BadRequest, "invalid_price"),
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "0", quantity = "0.1" }, HttpStatusCode.BadRequest, "invalid_price"),
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "-100", quantity = "0.1" }, HttpStatusCode.BadRequest, "invalid_price"),
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "99999999999999999999", quantity = "0.1" }, HttpStatusCode.BadRequest, "invalid_price"),
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "100", quantity = "0.001" }, HttpStatusCode.BadRequest, "invalid_quantity"),
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "100", quantity = "0" }, HttpStatusCode.BadRequest, "invalid_quantity"),
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "1", quantity = "0.01" }, HttpStatusCode.BadRequest, "below_minimum_notional"),
            (new { market = "BTC-USD", side = "buy", type = "market", quantity = "0.01" }, HttpStatusCode.BadRequest, "invalid_order_type"),
            (new { market = "BTC-USD", side = "sell", type = "market", timeInForce = "GTC", quantity = "0.01" }, HttpStatusCode.BadRequest, "invalid_order_type"),
            (new { market = "BTC-USD", side = "sideways", type = "limit", price = "100", quantity = "0.1" }, HttpStatusCode.BadRequest, "invalid_order_type"),
            (new { market = "DOGE-USD", side = "buy", type = "limit", price = "100", quantity = "0.1" }, HttpStatusCode.NotFound, "unknown_market"),
            (new { market = "BTC-USD", side = "buy", type = "limit", price = "1000", quantity = "1" }, HttpStatusCode.UnprocessableEntity, "insufficient_funds"),
            (new { market = "BTC-USD", side = "sell", type = "limit", price = "1000", quantity = "2" }, HttpStatusCode.UnprocessableEntity, "insufficient_funds"),
        };
        foreach (var (body, status, code) in cases)
        {
            using var response = await trader.PlaceRawAsync(body);
            var problem = await JsonAsync(response);
            Assert.True(response.StatusCode == status, $"{body}: {response.StatusCode} {problem}");
            Assert.Equal(code, problem.GetProperty("code").GetString());
        }
        Assert.Equal(before, await trader.BalancesAsync());
        Assert.Equal(commandsBefore, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM market_commands"));
        Assert.Empty((await trader.GetAsync("/api/v1/orders")).GetProperty("items").EnumerateArray());
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Someone_elses_order_is_not_found_and_an_unverified_user_cannot_trade()
    {
        await using var api = new ApiFactory(infrastructure);
        var owner = await Trader.CreateAsync(api, Db);
        var stranger = await Trader.CreateAsync(api, Db);
        await owner.DepositAsync("BTC", "1");
        var order = await owner.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "900000", quantity = "0.5" });
        var id = order.GetProperty("id").GetString();
        using (var cancel = await stranger.Http.DeleteAsync(new Uri($"/api/v1/orders/{id}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }
        using (var read = await stranger.Http.GetAsync(new Uri($"/api/v1/orders/{id}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        }
        Assert.Equal(0, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM market_commands WHERE type = 2 AND order_id = @id",
            ("id", long.Parse(id!, System.Globalization.CultureInfo.InvariantCulture))));

        var identity = new IdentityTestClient(api.CreateClient(), Db);
        var (access, _) = await identity.SignedInUserAsync(IdentityTestClient.NewEmail("unverified"), verified: false);
        using var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var refused = await http.PostAsJsonAsync("/api/v1/orders", new { market = "BTC-USD", side = "sell", type = "limit", price = "100", quantity = "1" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("email_not_verified", (await JsonAsync(refused)).GetProperty("code").GetString());
        using var anonymous = await api.CreateClient().GetAsync(new Uri("/api/v1/wallet/balances", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_halted_market_refuses_new_orders_until_an_admin_resumes_it()
    {
        const string password = "bootstrap admin passphrase 2026";
        var adminEmail = IdentityTestClient.NewEmail("admin");
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Admin:Email"] = adminEmail, ["Coinage:Admin:Password"] = password });
        var identity = new IdentityTestClient(api.CreateClient(), Db);
        var trader = await Trader.CreateAsync(api, Db);
        await trader.DepositAsync("ETH", "5");
        using var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await identity.BootstrapAdminAsync(adminEmail, password));
        using (var forbidden = await trader.Http.PostAsync(new Uri("/api/v1/admin/markets/ETH-BTC/halt", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using (var halt = await admin.PostAsync(new Uri("/api/v1/admin/markets/ETH-BTC/halt", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
            Assert.Equal("halted", (await JsonAsync(halt)).GetProperty("status").GetString());
        }
        try
        {
            var order = new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.05", quantity = "1" };
            using var refused = await trader.PlaceRawAsync(order);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("market_halted", (await JsonAsync(refused)).GetProperty("code").GetString());
            Assert.Equal((5m, 0m), (await trader.BalancesAsync())["ETH"]);
            Assert.True(await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM audit_entries WHERE action = 'market.halted' AND data LIKE '%ETH-BTC%'") > 0);
        }
        finally
        {
            using var resume = await admin.PostAsync(new Uri("/api/v1/admin/markets/ETH-BTC/resume", UriKind.Relative), null, Ct);
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }
        await trader.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.05", quantity = "1" });
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }
}
