using System.Net;
using System.Net.Http.Json;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>API → command → the Worker's matching host (in-process) → settlement → balances, ledger, fills.</summary>
[Collection(SharedBtcUsdBook.Name)]
public sealed class PlaceMatchSettleTests(InfrastructureFixture infrastructure)
{
    private string Db => infrastructure.PostgresConnectionString;

    [Fact]
    public async Task A_limit_buy_crossing_a_resting_sell_trades_at_the_makers_price_and_books_both_fees()
    {
        await using var api = new ApiFactory(infrastructure);
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services; // starts the matching host
        var alice = await Trader.CreateAsync(api, Db, "alice");
        var bob = await Trader.CreateAsync(api, Db, "bob");
        await alice.DepositAsync("USD", "100000");
        await bob.DepositAsync("BTC", "10");
        var feesBefore = await FeesAsync("USD");

        var sell = await bob.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "50000", quantity = "1" });
        Assert.Equal("pending", sell.GetProperty("status").GetString());
        await ExchangeDatabase.WaitProcessedAsync(Db);
        var buy = await alice.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "50100", quantity = "0.4", clientOrderId = "a-1" });
        // Held at the limit plus the dearer (taker) fee: 0.4 × 50100 = 20040 + 0.2 % = 40.08.
        Assert.Equal("20080.08", buy.GetProperty("remainingHold").GetString());
        await ExchangeDatabase.WaitProcessedAsync(Db);

        var a = await alice.BalancesAsync();
        var b = await bob.BalancesAsync();
        // 0.4 BTC at the maker's 50000: notional 20000; taker fee 20 bps = 40, maker fee 10 bps = 20.
        Assert.Equal((0.4m, 0m), a["BTC"]);
        Assert.Equal((100000m - 20000m - 40m, 0m), a["USD"]);
        Assert.Equal((9m, 0.6m), b["BTC"]);
        Assert.Equal((20000m - 20m, 0m), b["USD"]);
        Assert.Equal(feesBefore + 60m, await FeesAsync("USD"));

        var aliceOrder = await alice.GetAsync($"/api/v1/orders/{buy.GetProperty("id").GetString()}");
        Assert.Equal("filled", aliceOrder.GetProperty("status").GetString());
        Assert.Equal("50000", aliceOrder.GetProperty("averagePrice").GetString());
        Assert.Equal("40", aliceOrder.GetProperty("fee").GetString());
        var bobOrder = await bob.GetAsync($"/api/v1/orders/{sell.GetProperty("id").GetString()}");
        Assert.Equal("partially_filled", bobOrder.GetProperty("status").GetString());
        var fills = (await alice.GetAsync("/api/v1/fills")).GetProperty("items");
        var fill = Assert.Single(fills.EnumerateArray());
        Assert.Equal(("taker", "buy", "0.4", "50000", "40"), (fill.GetProperty("liquidity").GetString(), fill.GetProperty("side").GetString(),
            fill.GetProperty("quantity").GetString(), fill.GetProperty("price").GetString(), fill.GetProperty("fee").GetString()));
        var ledger = (await alice.GetAsync("/api/v1/wallet/ledger?limit=2")).GetProperty("items");
        Assert.Equal(2, ledger.GetArrayLength());
        Assert.NotNull((await alice.GetAsync("/api/v1/wallet/ledger?limit=2")).GetProperty("nextCursor").GetString());
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM trades WHERE taker_order_id = @id", ("id", long.Parse(buy.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture))));
        await ExchangeDatabase.AssertInvariantsAsync(Db);

        // Cancel the rest of bob's order: its 0.6 BTC come back.
        using (var cancel = await bob.Http.DeleteAsync(new Uri($"/api/v1/orders/{sell.GetProperty("id").GetString()}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        await ExchangeDatabase.WaitProcessedAsync(Db);
        Assert.Equal((9.6m, 0m), (await bob.BalancesAsync())["BTC"]);
        Assert.Equal("cancelled", (await bob.GetAsync($"/api/v1/orders/{sell.GetProperty("id").GetString()}")).GetProperty("status").GetString());
        Assert.Empty((await bob.GetAsync("/api/v1/orders/open?market=BTC-USD")).GetProperty("items").EnumerateArray());
        // Cancelling a done order is refused and changes nothing.
        using (var again = await bob.Http.DeleteAsync(new Uri($"/api/v1/orders/{sell.GetProperty("id").GetString()}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("order_not_open", (await JsonAsync(again)).GetProperty("code").GetString());
        }
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Market_buy_by_quote_ioc_fok_and_post_only_settle_and_release_what_is_unused()
    {
        await using var api = new ApiFactory(infrastructure);
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var maker = await Trader.CreateAsync(api, Db, "maker");
        var taker = await Trader.CreateAsync(api, Db, "taker");
        await maker.DepositAsync("ETH", "100");
        await taker.DepositAsync("USD", "20000");
        await maker.PlaceAsync(new { market = "ETH-USD", side = "sell", type = "limit", price = "3000", quantity = "1" });
        await maker.PlaceAsync(new { market = "ETH-USD", side = "sell", type = "limit", price = "3100", quantity = "1" });
        // Post-only that would take is rejected; its hold comes back.
        var postOnly = await taker.PlaceAsync(new { market = "ETH-USD", side = "buy", type = "limit", price = "3000", quantity = "0.5", postOnly = true });
        // FOK for more than the book has: killed, nothing trades.
        var fok = await taker.PlaceAsync(new { market = "ETH-USD", side = "buy", type = "limit", timeInForce = "FOK", price = "3100", quantity = "3" });
        // Market buy for 1500 USD: 0.5 ETH at 3000.
        var market = await taker.PlaceAsync(new { market = "ETH-USD", side = "buy", type = "market", quoteAmount = "1500" });
        await ExchangeDatabase.WaitProcessedAsync(Db);

        Assert.Equal("rejected", (await taker.GetAsync($"/api/v1/orders/{postOnly.GetProperty("id").GetString()}")).GetProperty("status").GetString());
        Assert.Equal("cancelled", (await taker.GetAsync($"/api/v1/orders/{fok.GetProperty("id").GetString()}")).GetProperty("status").GetString());
        var bought = await taker.GetAsync($"/api/v1/orders/{market.GetProperty("id").GetString()}");
        Assert.Equal("filled", bought.GetProperty("status").GetString());
        Assert.Equal("0.5", bought.GetProperty("filledQuantity").GetString());
        var balances = await taker.BalancesAsync();
        Assert.Equal((0.5m, 0m), balances["ETH"]);
        Assert.Equal((20000m - 1500m - 3m, 0m), balances["USD"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    private Task<decimal> FeesAsync(string asset) =>
        ExchangeDatabase.ScalarAsync<decimal>(Db, "SELECT amount FROM balances WHERE owner_id = 0 AND kind = 3 AND asset = @a", ("a", asset));
}
