using System.Net;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// Stop and take-profit orders through the API and the Worker's matching host, on a database of their own (a trade
/// of another test would move the last price their triggers compare with): held at placement as the order they
/// become, untriggered until a trade reaches the trigger, fired exactly once across a matching host restart, and
/// the invariants of DESIGN.md §2 after each step.
/// </summary>
public sealed class StopOrderTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task A_stop_limit_buy_waits_untriggered_with_its_hold_survives_a_restart_and_fires_once_when_a_trade_reaches_it()
    {
        await using var exchange = await OwnExchange.StartAsync(infrastructure, "stops", redisDatabase: 7);
        var database = exchange.Database;
        var alice = await exchange.TraderAsync("stop-alice", ("BTC", "10"));
        var bob = await exchange.TraderAsync("stop-bob", ("ETH", "100"));
        var carol = await exchange.TraderAsync("stop-carol", ("BTC", "10"));

        await bob.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.05", quantity = "0.5" });
        await bob.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.051", quantity = "1" });
        var stop = await alice.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "stop_limit", triggerPrice = "0.05", price = "0.051", quantity = "0.5" });
        // Held as the limit order it becomes: 0.5 × 0.051 = 0.0255 BTC, plus the taker fee of 20 bps.
        Assert.Equal(("stop_limit", "0.05", "0.025551"), (stop.GetProperty("type").GetString(), stop.GetProperty("triggerPrice").GetString(),
            stop.GetProperty("remainingHold").GetString()));
        var id = stop.GetProperty("id").GetString()!;
        await ExchangeDatabase.WaitProcessedAsync(database);

        var armed = await alice.GetAsync($"/api/v1/orders/{id}");
        Assert.Equal("untriggered", armed.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, armed.GetProperty("triggeredAt").ValueKind);
        Assert.Equal((10m - 0.025551m, 0.025551m), (await alice.BalancesAsync())["BTC"]);
        Assert.Contains(id, (await alice.GetAsync("/api/v1/orders/open?market=ETH-BTC")).GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()));
        // Not on the book: the order book shows bob's asks only.
        Assert.Equal(0, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM trades"));
        await ExchangeDatabase.AssertInvariantsAsync(database);

        // A crash: the next owner rebuilds the book, the armed order and the last trade price from the database.
        await exchange.RestartWorkerAsync();

        // Carol trades 0.1 at 0.05: the trigger is reached, and alice's order matches in the same batch.
        await carol.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.05", quantity = "0.1" });
        await ExchangeDatabase.WaitProcessedAsync(database);

        var fired = await alice.GetAsync($"/api/v1/orders/{id}");
        Assert.Equal(("filled", "stop_limit"), (fired.GetProperty("status").GetString(), fired.GetProperty("type").GetString()));
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, fired.GetProperty("triggeredAt").ValueKind);
        Assert.Equal(2, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM trades WHERE taker_order_id = @id", ("id", long.Parse(id, System.Globalization.CultureInfo.InvariantCulture))));
        // 0.4 at 0.05 and 0.1 at 0.051 = 0.0251 BTC, taker fee 0.0000502; the rest of the hold is released.
        var balances = await alice.BalancesAsync();
        Assert.Equal((10m - 0.0251502m, 0m), balances["BTC"]);
        Assert.Equal((0.5m, 0m), balances["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);

        // The last trade was at 0.051: a sell stop at 0.052 would fire at once, so the engine rejects it and the ETH comes back.
        var tooLate = await alice.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "stop_market", triggerPrice = "0.052", quantity = "0.1" });
        // A sell take-profit at 0.06 waits; cancelled before it fires, it gives its hold back.
        var takeProfit = await alice.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "take_profit_market", triggerPrice = "0.06", quantity = "0.2" });
        await ExchangeDatabase.WaitProcessedAsync(database);
        var rejected = await alice.GetAsync($"/api/v1/orders/{tooLate.GetProperty("id").GetString()}");
        Assert.Equal(("rejected", "would_trigger_immediately"), (rejected.GetProperty("status").GetString(), rejected.GetProperty("closeReason").GetString()));
        var waiting = await alice.GetAsync($"/api/v1/orders/{takeProfit.GetProperty("id").GetString()}");
        Assert.Equal(("untriggered", "take_profit_market"), (waiting.GetProperty("status").GetString(), waiting.GetProperty("type").GetString()));
        Assert.Equal((0.3m, 0.2m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);

        using (var cancel = await alice.Http.DeleteAsync(new Uri($"/api/v1/orders/{takeProfit.GetProperty("id").GetString()}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        await ExchangeDatabase.WaitProcessedAsync(database);
        var cancelled = await alice.GetAsync($"/api/v1/orders/{takeProfit.GetProperty("id").GetString()}");
        Assert.Equal(("cancelled", "user"), (cancelled.GetProperty("status").GetString(), cancelled.GetProperty("closeReason").GetString()));
        Assert.Equal((0.5m, 0m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);
    }

    [Fact]
    public async Task A_take_profit_market_buy_is_not_judged_by_todays_best_ask()
    {
        // Redis keys of its own too: another test's BTC-USD book would mislead this one's judgement.
        await using var exchange = await OwnExchange.StartAsync(infrastructure, "stops_ask", redisDatabase: 8);
        var database = exchange.Database;
        var alice = await exchange.TraderAsync("stop-ask-alice", ("USD", "1000"));
        var bob = await exchange.TraderAsync("stop-ask-bob", ("BTC", "1"));
        await bob.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "50000", quantity = "1" });
        await ExchangeDatabase.WaitProcessedAsync(database);
        // The API judges a market buy by the book published to Redis just after the commit: wait for it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await alice.GetAsync("/api/v1/markets/BTC-USD/book?depth=1")).GetProperty("asks") is var asks
            && (asks.GetArrayLength() == 0 || asks[0][0].GetString() != "50000"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The best ask never became 50000: {asks}");
            await Task.Delay(50, Ct);
        }

        // 100 USD does not buy one lot (0.01 BTC) at 50,000 now: a market buy is refused up front...
        using (var now = await alice.PlaceRawAsync(new { market = "BTC-USD", side = "buy", type = "market", quoteAmount = "100" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, now.StatusCode);
            Assert.Equal("below_one_lot", (await JsonAsync(now)).GetProperty("code").GetString());
        }
        // ...but a buy that fires once the price has fallen to 9,000 may well buy a lot then: it is accepted and armed.
        var later = await alice.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "take_profit_market", triggerPrice = "9000", quoteAmount = "100" });
        Assert.Equal("100.2", later.GetProperty("remainingHold").GetString());
        await ExchangeDatabase.WaitProcessedAsync(database);
        Assert.Equal("untriggered", (await alice.GetAsync($"/api/v1/orders/{later.GetProperty("id").GetString()}")).GetProperty("status").GetString());
        await ExchangeDatabase.AssertInvariantsAsync(database);
    }

    [Theory]
    [InlineData("stop_limit", null, "0.05", false, "invalid_trigger_price", "triggerPrice")]
    [InlineData("stop_limit", "0.050005", "0.05", false, "invalid_trigger_price", "triggerPrice")]
    [InlineData("limit", "0.05", "0.05", false, "invalid_order_type", "triggerPrice")]
    [InlineData("take_profit_limit", "0.05", "0.05", true, "invalid_order_type", "postOnly")]
    [InlineData("trailing_stop", "0.05", "0.05", false, "invalid_order_type", "type")]
    public async Task A_stop_order_with_bad_terms_is_refused_naming_the_field(string type, string? triggerPrice, string price, bool postOnly, string code, string field)
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, infrastructure.PostgresConnectionString, "stop-terms");
        await trader.DepositAsync("BTC", "1");

        using var response = await trader.PlaceRawAsync(new { market = "ETH-BTC", side = "buy", type, triggerPrice, price, quantity = "0.5", postOnly });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, code, field);
        Assert.Equal((1m, 0m), (await trader.BalancesAsync())["BTC"]);
    }
}
