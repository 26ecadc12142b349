extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// One-cancels-the-other pairs through the API and the Worker's matching host, on a database of their own (their prices
/// are judged against the last trade): one hold for the pair, the larger leg's need; the limit leg trading (partly)
/// cancels the stop leg, the stop leg firing cancels the limit leg and takes the hold over, a cancel of either leg
/// cancels both and gives the hold back once; the link survives a matching host restart; the invariants of DESIGN.md §2
/// after each step.
/// </summary>
public sealed class OcoOrderTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task A_pair_holds_once_cancels_its_other_leg_when_one_trades_fires_or_is_cancelled_and_survives_a_restart()
    {
        // Redis keys of its own too: the API judges the pair by the last trade it reads there.
        await using var exchange = await OwnExchange.StartAsync(infrastructure, "oco", redisDatabase: 13);
        var database = exchange.Database;
        var alice = await exchange.TraderAsync("oco-alice", ("ETH", "10"));
        var bob = await exchange.TraderAsync("oco-bob", ("ETH", "10"));
        var carol = await exchange.TraderAsync("oco-carol", ("BTC", "10"));
        await bob.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.05", quantity = "0.1" });
        await carol.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.05", quantity = "0.1" });
        await ExchangeDatabase.WaitProcessedAsync(database);
        await WaitLastTradeAsync(alice, "0.05");

        // The wrong way round for a sell (limit below the last trade, trigger above it): both fields named.
        using (var wrong = await alice.Http.PostAsJsonAsync("/api/v1/orders/oco",
            new { market = "ETH-BTC", side = "sell", quantity = "1", price = "0.04", triggerPrice = "0.06", stopPrice = "0.059" }, Ct))
        {
            var problem = await JsonAsync(wrong);
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_price"), (wrong.StatusCode, problem.GetProperty("code").GetString()));
            Assert.True(problem.GetProperty("errors").TryGetProperty("price", out _) && problem.GetProperty("errors").TryGetProperty("triggerPrice", out _), problem.ToString());
        }
        Assert.Equal((10m, 0m), (await alice.BalancesAsync())["ETH"]);

        // 1. A sell pair: one hold of 1 ETH on the limit leg (both legs need 1 ETH, the pair holds it once).
        var pair = await PlaceOcoAsync(alice, new { market = "ETH-BTC", side = "sell", quantity = "1", price = "0.06", triggerPrice = "0.04", stopPrice = "0.039", clientOrderId = "pair-1" });
        var (limit, stop) = (pair.GetProperty("limit"), pair.GetProperty("stop"));
        Assert.Equal(("limit", "stop_limit", "0.04", "0.039"), (limit.GetProperty("type").GetString(), stop.GetProperty("type").GetString(),
            stop.GetProperty("triggerPrice").GetString(), stop.GetProperty("price").GetString()));
        Assert.Equal((Id(stop), Id(limit)), (limit.GetProperty("ocoPartnerId").GetString(), stop.GetProperty("ocoPartnerId").GetString()));
        Assert.Equal(("1", "0"), (limit.GetProperty("remainingHold").GetString(), stop.GetProperty("remainingHold").GetString()));
        Assert.Equal((9m, 1m), (await alice.BalancesAsync())["ETH"]);
        // The same clientOrderId and terms: the stored pair, nothing held twice.
        using (var retry = await alice.Http.PostAsJsonAsync("/api/v1/orders/oco",
            new { market = "ETH-BTC", side = "sell", quantity = "1", price = "0.06", triggerPrice = "0.04", stopPrice = "0.039", clientOrderId = "pair-1" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal(Id(stop), Id((await JsonAsync(retry)).GetProperty("stop")));
        }
        await ExchangeDatabase.WaitProcessedAsync(database);
        Assert.Equal(("open", "untriggered"), (await StatusAsync(alice, limit), await StatusAsync(alice, stop)));
        Assert.Equal((9m, 1m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);
        await AssertReconciledAsync(database);

        // A crash: the next owner rebuilds both legs and their link from the database.
        await exchange.RestartWorkerAsync();

        // 2. The limit leg trades, even partly: the stop leg is cancelled; the rest of the hold stays with the limit leg.
        await carol.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.06", quantity = "0.4" });
        await ExchangeDatabase.WaitProcessedAsync(database);
        var traded = await alice.GetAsync($"/api/v1/orders/{Id(limit)}");
        var cancelledStop = await alice.GetAsync($"/api/v1/orders/{Id(stop)}");
        Assert.Equal(("partially_filled", "0.6"), (traded.GetProperty("status").GetString(), traded.GetProperty("remainingHold").GetString()));
        Assert.Equal(("cancelled", "oco_partner", "0"), (cancelledStop.GetProperty("status").GetString(), cancelledStop.GetProperty("closeReason").GetString(),
            cancelledStop.GetProperty("remainingHold").GetString()));
        Assert.Equal((9m, 0.6m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);
        await CancelAsync(alice, Id(limit));
        await ExchangeDatabase.WaitProcessedAsync(database);
        Assert.Equal((9.6m, 0m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);

        // 3. The stop leg fires: the limit leg is cancelled first and hands the pair's hold to the stop leg.
        await WaitLastTradeAsync(alice, "0.06");
        pair = await PlaceOcoAsync(alice, new { market = "ETH-BTC", side = "sell", quantity = "1", price = "0.07", triggerPrice = "0.055", stopPrice = "0.054" });
        (limit, stop) = (pair.GetProperty("limit"), pair.GetProperty("stop"));
        await ExchangeDatabase.WaitProcessedAsync(database);
        await bob.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.055", quantity = "0.1" });
        await carol.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.055", quantity = "0.1" });
        await ExchangeDatabase.WaitProcessedAsync(database);
        var cancelledLimit = await alice.GetAsync($"/api/v1/orders/{Id(limit)}");
        var fired = await alice.GetAsync($"/api/v1/orders/{Id(stop)}");
        Assert.Equal(("cancelled", "oco_partner", "0"), (cancelledLimit.GetProperty("status").GetString(), cancelledLimit.GetProperty("closeReason").GetString(),
            cancelledLimit.GetProperty("remainingHold").GetString()));
        Assert.Equal(("open", "1"), (fired.GetProperty("status").GetString(), fired.GetProperty("remainingHold").GetString()));
        Assert.NotEqual(JsonValueKind.Null, fired.GetProperty("triggeredAt").ValueKind);
        Assert.Equal((8.6m, 1m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);
        await carol.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.054", quantity = "1" });
        await ExchangeDatabase.WaitProcessedAsync(database);
        Assert.Equal("filled", await StatusAsync(alice, stop));
        Assert.Equal((8.6m, 0m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);

        // 4. A buy pair holds the larger need, not the sum: the stop-limit leg's 1 × 0.066 + 20 bps = 0.066132 BTC
        //    (the limit leg's would be 0.0501). Cancelling the stop leg cancels both and gives it back once.
        await WaitLastTradeAsync(alice, "0.054");
        var before = (await carol.BalancesAsync())["BTC"];
        pair = await PlaceOcoAsync(carol, new { market = "ETH-BTC", side = "buy", quantity = "1", price = "0.05", triggerPrice = "0.065", stopPrice = "0.066" });
        (limit, stop) = (pair.GetProperty("limit"), pair.GetProperty("stop"));
        Assert.Equal(("0.066132", "0"), (limit.GetProperty("remainingHold").GetString(), stop.GetProperty("remainingHold").GetString()));
        Assert.Equal((before.Available - 0.066132m, before.Held + 0.066132m), (await carol.BalancesAsync())["BTC"]);
        await ExchangeDatabase.WaitProcessedAsync(database);
        await ExchangeDatabase.AssertInvariantsAsync(database);
        await CancelAsync(carol, Id(stop));
        await ExchangeDatabase.WaitProcessedAsync(database);
        var userCancelled = await carol.GetAsync($"/api/v1/orders/{Id(stop)}");
        var partnerCancelled = await carol.GetAsync($"/api/v1/orders/{Id(limit)}");
        Assert.Equal(("cancelled", "user"), (userCancelled.GetProperty("status").GetString(), userCancelled.GetProperty("closeReason").GetString()));
        Assert.Equal(("cancelled", "oco_partner"), (partnerCancelled.GetProperty("status").GetString(), partnerCancelled.GetProperty("closeReason").GetString()));
        Assert.Equal(before, (await carol.BalancesAsync())["BTC"]);
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(database,
            "SELECT count(*) FROM journal_entries WHERE kind = 6 AND reference_id IN (@limit, @stop)", ("limit", long.Parse(Id(limit), System.Globalization.CultureInfo.InvariantCulture)),
            ("stop", long.Parse(Id(stop), System.Globalization.CultureInfo.InvariantCulture))));
        await ExchangeDatabase.AssertInvariantsAsync(database);
        await AssertReconciledAsync(database);
    }

    [Theory]
    [InlineData("up", "1", "0.06", "0.04", "0.039", "invalid_order_type", "side")]
    [InlineData("sell", "0.0005", "0.06", "0.04", "0.039", "invalid_quantity", "quantity")]
    [InlineData("sell", "1", "0.060005", "0.04", "0.039", "invalid_price", "price")]
    [InlineData("sell", "1", "0.06", "0.040005", "0.039", "invalid_trigger_price", "triggerPrice")]
    [InlineData("sell", "1", "0.06", "0.04", "-1", "invalid_price", "stopPrice")]
    [InlineData("buy", "1", "0.04", "0.06", null, "invalid_order_type", "stopPrice")]
    public async Task A_pair_with_bad_terms_is_refused_naming_the_field_and_holds_nothing(
        string side, string quantity, string price, string triggerPrice, string? stopPrice, string code, string field)
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, infrastructure.PostgresConnectionString, "oco-terms");
        await trader.DepositAsync("BTC", "1");
        await trader.DepositAsync("ETH", "10");

        using var response = await trader.Http.PostAsJsonAsync("/api/v1/orders/oco", new { market = "ETH-BTC", side, quantity, price, triggerPrice, stopPrice }, Ct);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, code, field);
        var balances = await trader.BalancesAsync();
        Assert.Equal(((1m, 0m), (10m, 0m)), (balances["BTC"], balances["ETH"]));
    }

    private static string Id(JsonElement order) => order.GetProperty("id").GetString()!;

    private static async Task<JsonElement> PlaceOcoAsync(Trader trader, object pair)
    {
        using var response = await trader.Http.PostAsJsonAsync("/api/v1/orders/oco", pair, Ct);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body;
    }

    private static async Task<string?> StatusAsync(Trader trader, JsonElement order) =>
        (await trader.GetAsync($"/api/v1/orders/{Id(order)}")).GetProperty("status").GetString();

    private static async Task CancelAsync(Trader trader, string id)
    {
        using var cancel = await trader.Http.DeleteAsync(new Uri($"/api/v1/orders/{id}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
    }

    /// <summary>
    /// The reconciliation job's checks over the whole database, in one snapshot: none may fail (each pair's stop leg is
    /// placed by its limit leg's command, each amend that took more holds with one entry of its own, and so on).
    /// </summary>
    internal static async Task AssertReconciledAsync(string database)
    {
        await using var db = ExchangeDatabase.Open(database, out var dataSource);
        await using (dataSource)
        {
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, Ct);
            var report = await worker::Coinage.Worker.Reconciliation.ReconciliationChecks.RunAsync(db, Ct);
            Assert.True(report.Discrepancies.Count == 0, string.Join(Environment.NewLine, report.Discrepancies));
        }
    }

    /// <summary>The API judges a pair by the last trade the matching host published (just after its commit): wait for it.</summary>
    internal static async Task WaitLastTradeAsync(Trader trader, string price)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await trader.GetAsync("/api/v1/markets/ETH-BTC/trades?limit=1")) is var trades && (trades.GetArrayLength() == 0 || trades[0].GetProperty("price").GetString() != price))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The last trade never became {price}: {trades}");
            await Task.Delay(50, Ct);
        }
    }
}
