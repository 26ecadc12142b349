using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.MarketData;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// An order the exchange cannot fill is refused up front with its reason, and every order that ends without
/// filling says why: in the order JSON, the order history and the hub's order events (issue 19, defect 2).
/// Each test has a database and Redis prefix of its own, so the book is exactly what it places.
/// </summary>
public sealed class OrderOutcomeTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task A_market_buy_that_cannot_pay_for_one_lot_is_refused_with_the_reason_on_quoteAmount()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = env.Api();
        await using var worker = env.Worker();
        _ = worker.Services; // starts the matching host and the market-data publisher
        var seller = await Trader.CreateAsync(api, env.Database, "seller");
        var buyer = await Trader.CreateAsync(api, env.Database, "buyer");
        await seller.DepositAsync("BTC", "1");
        await buyer.DepositAsync("USD", "1000");
        await seller.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "65000", quantity = "0.05" });
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        await BestAskAsync(buyer, "65000"); // the API judges by the book published to Redis just after the commit
        var commandsBefore = await ExchangeDatabase.ScalarAsync<long>(env.Database, "SELECT count(*) FROM market_commands");

        // One lot, 0.01 BTC, costs 650 USD at the best ask: 500 USD buys nothing.
        using var refused = await buyer.PlaceRawAsync(new { market = "BTC-USD", side = "buy", type = "market", quoteAmount = "500" });
        var problem = await JsonAsync(refused);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("below_one_lot", problem.GetProperty("code").GetString());
        Assert.Equal("https://coinage.dev/problems/below_one_lot", problem.GetProperty("type").GetString());
        const string Reason = "500 USD does not buy one lot: the smallest amount, 0.01 BTC, costs 650 USD at the best ask of 65000 USD.";
        Assert.Equal(Reason, problem.GetProperty("detail").GetString());
        Assert.Equal(Reason, Assert.Single(problem.GetProperty("errors").GetProperty("quoteAmount").EnumerateArray()).GetString());
        // Nothing held, nothing queued, no order in the history.
        Assert.Equal((1000m, 0m), (await buyer.BalancesAsync())["USD"]);
        Assert.Equal(commandsBefore, await ExchangeDatabase.ScalarAsync<long>(env.Database, "SELECT count(*) FROM market_commands"));
        Assert.Empty((await buyer.GetAsync("/api/v1/orders")).GetProperty("items").EnumerateArray());

        // The batch endpoint answers the item the same way.
        using var batch = await buyer.Http.PostAsJsonAsync("/api/v1/orders/batch",
            new { orders = new[] { new { market = "BTC-USD", side = "buy", type = "market", quoteAmount = "500" } } }, Ct);
        var item = (await JsonAsync(batch)).GetProperty("results")[0];
        Assert.Equal(422, item.GetProperty("status").GetInt32());
        Assert.Equal("below_one_lot", item.GetProperty("problem").GetProperty("code").GetString());

        // 650 USD pays for exactly one lot: placed and filled, with no close reason.
        var oneLot = new { market = "BTC-USD", side = "buy", type = "market", quoteAmount = "650", clientOrderId = "one-lot" };
        var bought = await buyer.PlaceAsync(oneLot);
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        var order = await buyer.GetAsync($"/api/v1/orders/{bought.GetProperty("id").GetString()}");
        Assert.Equal(("filled", "0.01"), (order.GetProperty("status").GetString(), order.GetProperty("filledQuantity").GetString()));
        Assert.Equal(JsonValueKind.Null, order.GetProperty("closeReason").ValueKind);

        // The ask moves up to 70000; a retry of that order is still answered with it (200), not refused.
        using (var cancelAll = await seller.Http.DeleteAsync(new Uri("/api/v1/orders?market=BTC-USD", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancelAll.StatusCode);
        }
        await seller.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "70000", quantity = "0.01" });
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        await BestAskAsync(buyer, "70000"); // published to Redis just after the commit
        using (var retry = await buyer.PlaceRawAsync(oneLot))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal(bought.GetProperty("id").GetString(), (await JsonAsync(retry)).GetProperty("id").GetString());
        }
        using (var fresh = await buyer.PlaceRawAsync(oneLot with { clientOrderId = "one-lot-again" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, fresh.StatusCode);
            Assert.EndsWith("costs 700 USD at the best ask of 70000 USD.", (await JsonAsync(fresh)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        await ExchangeDatabase.AssertInvariantsAsync(env.Database);
    }

    [Fact]
    public async Task Every_cancelled_or_rejected_order_says_why_in_the_api_the_history_and_the_hub()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        using var counters = new CounterRecorder("coinage.orders.rejected");
        await using var api = env.Api();
        await using var worker = env.Worker();
        _ = worker.Services;
        var maker = await Trader.CreateAsync(api, env.Database, "maker");
        var taker = await Trader.CreateAsync(api, env.Database, "taker");
        await maker.DepositAsync("BTC", "1");
        await maker.DepositAsync("USD", "100000");
        await taker.DepositAsync("USD", "100000");
        await taker.DepositAsync("BTC", "1");
        await using var hub = await HubClient.ConnectAsync(api, taker.AccessToken());
        await hub.SubscribeAsync("BTC-USD");
        await maker.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "65000", quantity = "0.02" });
        await ExchangeDatabase.WaitProcessedAsync(env.Database);

        var expected = new Dictionary<string, string>
        {
            // Takes the 0.02 on offer; the other 0.03 are cancelled at once.
            [await IdAsync(taker, new { market = "BTC-USD", side = "buy", type = "limit", timeInForce = "IOC", price = "65000", quantity = "0.05" })] = "immediate_or_cancel",
            [await IdAsync(taker, new { market = "BTC-USD", side = "buy", type = "limit", timeInForce = "FOK", price = "66000", quantity = "1" })] = "fill_or_kill",
            // No bids at all.
            [await IdAsync(taker, new { market = "BTC-USD", side = "sell", type = "market", quantity = "0.01" })] = "no_liquidity",
        };
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        var bid = await IdAsync(taker, new { market = "BTC-USD", side = "buy", type = "limit", price = "60000", quantity = "0.01" });
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        // Would trade with the taker's own bid: self-trade prevention cancels the newest.
        expected[await IdAsync(taker, new { market = "BTC-USD", side = "sell", type = "limit", price = "60000", quantity = "0.01" })] = "self_trade_prevention";
        await maker.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "70000", quantity = "0.01" });
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        expected[await IdAsync(taker, new { market = "BTC-USD", side = "buy", type = "limit", price = "70000", quantity = "0.01", postOnly = true })] = "post_only_would_take";
        using (var cancel = await taker.Http.DeleteAsync(new Uri($"/api/v1/orders/{bid}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        expected[bid] = "user";
        await ExchangeDatabase.WaitProcessedAsync(env.Database);

        var history = (await taker.GetAsync("/api/v1/orders")).GetProperty("items").EnumerateArray().ToDictionary(o => o.GetProperty("id").GetString()!);
        foreach (var (id, reason) in expected)
        {
            var order = await taker.GetAsync($"/api/v1/orders/{id}");
            Assert.Equal((id, reason), (id, order.GetProperty("closeReason").GetString()));
            Assert.Equal(reason == "post_only_would_take" ? "rejected" : "cancelled", order.GetProperty("status").GetString());
            Assert.Equal(reason, history[id].GetProperty("closeReason").GetString());
            var update = await hub.WaitForAsync("orderUpdate", u => u.GetProperty("id").GetString() == id && u.GetProperty("status").GetString() == order.GetProperty("status").GetString());
            Assert.Equal(reason, update.GetProperty("closeReason").GetString());
        }
        // The API accepted the post-only order (the ask it crosses was not in its view yet); the matching host refused it
        // and counts it where the API counts its own refusals. Cancels are not refusals.
        Assert.Equal(new Dictionary<string, long> { ["post_only_would_take"] = 1 }, counters.By(CounterRecorder.Of(worker.Services), "coinage.orders.rejected", "reason"));
        await ExchangeDatabase.AssertInvariantsAsync(env.Database);
    }

    private static async Task BestAskAsync(Trader trader, string price)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await trader.GetAsync("/api/v1/markets/BTC-USD/book?depth=1")).GetProperty("asks") is var asks
            && (asks.GetArrayLength() == 0 || asks[0][0].GetString() != price))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The best ask never became {price}: {asks}");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task<string> IdAsync(Trader trader, object order) => (await trader.PlaceAsync(order)).GetProperty("id").GetString()!;
}
