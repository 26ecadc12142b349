using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// <c>PATCH /api/v1/orders/{id}</c> through the API and the Worker's matching host, on a database of its own: a smaller
/// size keeps the order's place in its queue (a taker fills it before a later order at the same price), a new price or
/// a larger size loses it; an increase takes more hold at once or is refused without the funds; an amend the engine
/// refuses at processing (it would cross) leaves the order and the holds as they were and says so on the order; the
/// invariants of DESIGN.md §2 after each step, also while an amend's extra hold waits for the matching host; every
/// refusal, the API's and the matching host's, counted in <c>coinage.orders.rejected</c> by its code.
/// </summary>
public sealed class AmendOrderTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Amends_keep_or_lose_priority_resize_the_hold_and_a_refusal_at_processing_changes_nothing()
    {
        var database = await infrastructure.CreateDatabaseAsync("amend");
        var redis = infrastructure.RedisConnectionString + ",defaultDatabase=14";
        using var counters = new CounterRecorder("coinage.orders.rejected");
        await using var api = new ApiFactory(database, redis);
        var worker = new MatchingWorkerFactory(database, redis);
        _ = worker.Services;
        var workers = new List<System.Diagnostics.Metrics.IMeterFactory> { CounterRecorder.Of(worker.Services) };
        var alice = await Trader.CreateAsync(api, database, "amend-alice");
        var dave = await Trader.CreateAsync(api, database, "amend-dave");
        var bob = await Trader.CreateAsync(api, database, "amend-bob");
        var carol = await Trader.CreateAsync(api, database, "amend-carol");
        var erin = await Trader.CreateAsync(api, database, "amend-erin");
        await alice.DepositAsync("ETH", "10");
        await dave.DepositAsync("ETH", "10");
        await bob.DepositAsync("ETH", "10");
        await carol.DepositAsync("BTC", "10");
        await erin.DepositAsync("BTC", "0.1");

        try
        {
            // 1. A smaller size at the same price keeps the place: alice's order is still first at 0.06.
            var first = await PlaceAndWaitAsync(alice, "sell", "0.06", "1", database);
            var second = await PlaceAndWaitAsync(dave, "sell", "0.06", "1", database);
            var accepted = await AmendAsync(alice, first, new { quantity = "0.5" }, HttpStatusCode.Accepted);
            Assert.Equal("1", accepted.GetProperty("quantity").GetString()); // as stored: the matching host has not seen it yet
            await ExchangeDatabase.WaitProcessedAsync(database);
            var amended = await alice.GetAsync($"/api/v1/orders/{first}");
            Assert.Equal(("0.5", "0.5", JsonValueKind.Null), (amended.GetProperty("quantity").GetString(), amended.GetProperty("remainingHold").GetString(),
                amended.GetProperty("lastAmendRejection").ValueKind));
            Assert.Equal((9.5m, 0.5m), (await alice.BalancesAsync())["ETH"]);
            await ExchangeDatabase.AssertInvariantsAsync(database);
            await PlaceAndWaitAsync(carol, "buy", "0.06", "0.5", database);
            Assert.Equal("filled", (await alice.GetAsync($"/api/v1/orders/{first}")).GetProperty("status").GetString());
            Assert.Equal(("open", "0"), await StateAsync(dave, second));
            await CancelAsync(dave, second, database);

            // 2. A new price loses it: alice moves to 0.07 after dave got there, so dave is filled first.
            var moved = await PlaceAndWaitAsync(alice, "sell", "0.071", "1", database);
            var there = await PlaceAndWaitAsync(dave, "sell", "0.07", "1", database);
            await AmendAsync(alice, moved, new { price = "0.07" }, HttpStatusCode.Accepted);
            await ExchangeDatabase.WaitProcessedAsync(database);
            Assert.Equal("0.07", (await alice.GetAsync($"/api/v1/orders/{moved}")).GetProperty("price").GetString());
            await PlaceAndWaitAsync(carol, "buy", "0.07", "1", database);
            Assert.Equal("filled", (await dave.GetAsync($"/api/v1/orders/{there}")).GetProperty("status").GetString());
            Assert.Equal(("open", "0"), await StateAsync(alice, moved));
            await CancelAsync(alice, moved, database);
            await ExchangeDatabase.AssertInvariantsAsync(database);

            // 3. A larger size loses it too, and holds the extra 1 ETH in the transaction that accepts the amend.
            var grown = await PlaceAndWaitAsync(alice, "sell", "0.08", "1", database);
            var ahead = await PlaceAndWaitAsync(dave, "sell", "0.08", "1", database);
            var (available, held) = (await alice.BalancesAsync())["ETH"];
            await AmendAsync(alice, grown, new { quantity = "2" }, HttpStatusCode.Accepted);
            Assert.Equal((available - 1, held + 1), (await alice.BalancesAsync())["ETH"]);
            await ExchangeDatabase.WaitProcessedAsync(database);
            Assert.Equal("2", (await alice.GetAsync($"/api/v1/orders/{grown}")).GetProperty("remainingHold").GetString());
            await ExchangeDatabase.AssertInvariantsAsync(database);
            await PlaceAndWaitAsync(carol, "buy", "0.08", "1", database);
            Assert.Equal("filled", (await dave.GetAsync($"/api/v1/orders/{ahead}")).GetProperty("status").GetString());
            Assert.Equal(("open", "0"), await StateAsync(alice, grown));
            await ExchangeDatabase.AssertInvariantsAsync(database);

            // 4. A buy: 1 at 0.05 holds 0.0501 BTC (20 bps); 2 would need 0.0501 more than erin's 0.0499: refused, nothing held.
            var bid = await PlaceAndWaitAsync(erin, "buy", "0.05", "1", database);
            var refused = await AmendAsync(erin, bid, new { quantity = "2" }, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("insufficient_funds", refused.GetProperty("code").GetString());
            Assert.True(refused.GetProperty("errors").TryGetProperty("quantity", out _), refused.ToString());
            Assert.Equal((0.0499m, 0.0501m), (await erin.BalancesAsync())["BTC"]);
            await AmendAsync(erin, bid, new { quantity = "1.5" }, HttpStatusCode.Accepted);
            await ExchangeDatabase.WaitProcessedAsync(database);
            Assert.Equal(("1.5", "0.07515"), (await erin.GetAsync($"/api/v1/orders/{bid}")) is var grownBid
                ? (grownBid.GetProperty("quantity").GetString(), grownBid.GetProperty("remainingHold").GetString()) : default);
            Assert.Equal((0.02485m, 0.07515m), (await erin.BalancesAsync())["BTC"]);
            await ExchangeDatabase.AssertInvariantsAsync(database);

            // 5. Refused at processing: bob's ask at 0.055 is not yet matched (no matching host runs) when erin raises her bid
            //    to 0.056; the API cannot know, takes the extra hold, and the engine refuses the amend once it sees both.
            await worker.DisposeAsync();
            await bob.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.055", quantity = "1" });
            await AmendAsync(erin, bid, new { price = "0.056" }, HttpStatusCode.Accepted);
            // 1.5 × 0.056 + 20 bps = 0.084168: 0.009018 more, held from now on as the amend's claim.
            Assert.Equal((0.015832m, 0.084168m), (await erin.BalancesAsync())["BTC"]);
            await ExchangeDatabase.AssertInvariantsAsync(database);
            await OcoOrderTests.AssertReconciledAsync(database);
            worker = new MatchingWorkerFactory(database, redis);
            workers.Add(CounterRecorder.Of(worker.Services));
            await ExchangeDatabase.WaitProcessedAsync(database);
            var kept = await erin.GetAsync($"/api/v1/orders/{bid}");
            Assert.Equal(("0.05", "1.5", "0.07515", "open", "amend_would_cross"),
                (kept.GetProperty("price").GetString(), kept.GetProperty("quantity").GetString(), kept.GetProperty("remainingHold").GetString(),
                 kept.GetProperty("status").GetString(), kept.GetProperty("lastAmendRejection").GetString()));
            Assert.Equal((0.02485m, 0.07515m), (await erin.BalancesAsync())["BTC"]);
            Assert.Equal("amend_would_cross", await ExchangeDatabase.ScalarAsync<string>(database,
                "SELECT result FROM market_commands WHERE type = 5 ORDER BY sequence DESC LIMIT 1"));
            await ExchangeDatabase.AssertInvariantsAsync(database);

            // Once the book with bob's ask is published, the API refuses the same amend up front.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await erin.GetAsync("/api/v1/markets/ETH-BTC/book?depth=1")).GetProperty("asks") is var asks
                && (asks.GetArrayLength() == 0 || asks[0][0].GetString() != "0.055"))
            {
                Assert.True(DateTime.UtcNow < deadline, $"The best ask never became 0.055: {asks}");
                await Task.Delay(50, Ct);
            }
            var crossing = await AmendAsync(erin, bid, new { price = "0.055" }, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("amend_would_cross", crossing.GetProperty("code").GetString());
            Assert.True(crossing.GetProperty("errors").TryGetProperty("price", out _), crossing.ToString());

            // 6. Refusals before anything is written: per field, not amendable, someone else's.
            Assert.Equal(("invalid_price", true), Problem(await AmendAsync(erin, bid, new { price = "0.050005" }, HttpStatusCode.BadRequest), "price"));
            Assert.Equal(("invalid_quantity", true), Problem(await AmendAsync(erin, bid, new { quantity = "0.0005" }, HttpStatusCode.BadRequest), "quantity"));
            Assert.Equal(("validation_failed", true), Problem(await AmendAsync(erin, bid, new { }, HttpStatusCode.BadRequest), "price"));
            Assert.Equal("not_amendable", (await AmendAsync(alice, first, new { quantity = "0.2" }, HttpStatusCode.Conflict)).GetProperty("code").GetString());
            var stop = await alice.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "stop_limit", triggerPrice = "0.04", price = "0.039", quantity = "0.1" });
            await ExchangeDatabase.WaitProcessedAsync(database);
            Assert.Equal("not_amendable", (await AmendAsync(alice, stop.GetProperty("id").GetString()!, new { quantity = "0.05" }, HttpStatusCode.Conflict))
                .GetProperty("code").GetString());
            await AmendAsync(alice, bid, new { quantity = "1" }, HttpStatusCode.NotFound);
            Assert.Equal((0.02485m, 0.07515m), (await erin.BalancesAsync())["BTC"]);
            await ExchangeDatabase.AssertInvariantsAsync(database);
            await OcoOrderTests.AssertReconciledAsync(database);

            // Every refusal above counted once by its code: the API's as it answered them, the matching host's as it committed them.
            Assert.Equal(new Dictionary<string, long>
            {
                ["insufficient_funds"] = 1, ["amend_would_cross"] = 1, ["invalid_price"] = 1, ["invalid_quantity"] = 1, ["validation_failed"] = 1,
                ["not_amendable"] = 2, ["not_found"] = 1,
            }, counters.By(CounterRecorder.Of(api.Services), "coinage.orders.rejected", "reason"));
            Assert.Equal(new Dictionary<string, long> { ["amend_would_cross"] = 1 },
                workers.SelectMany(w => counters.By(w, "coinage.orders.rejected", "reason")).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Sum(c => c.Value)));
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    private static (string?, bool) Problem(JsonElement problem, string field) =>
        (problem.GetProperty("code").GetString(), problem.GetProperty("errors").TryGetProperty(field, out _));

    private static async Task<string> PlaceAndWaitAsync(Trader trader, string side, string price, string quantity, string database)
    {
        var order = await trader.PlaceAsync(new { market = "ETH-BTC", side, type = "limit", price, quantity });
        await ExchangeDatabase.WaitProcessedAsync(database);
        return order.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> AmendAsync(Trader trader, string id, object body, HttpStatusCode expected)
    {
        using var response = await trader.Http.PatchAsJsonAsync($"/api/v1/orders/{id}", body, Ct);
        var json = await JsonAsync(response);
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {json}");
        return json;
    }

    private static async Task<(string?, string?)> StateAsync(Trader trader, string id) =>
        (await trader.GetAsync($"/api/v1/orders/{id}")) is var order ? (order.GetProperty("status").GetString(), order.GetProperty("filledQuantity").GetString()) : default;

    private static async Task CancelAsync(Trader trader, string id, string database)
    {
        using var cancel = await trader.Http.DeleteAsync(new Uri($"/api/v1/orders/{id}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await ExchangeDatabase.WaitProcessedAsync(database);
    }
}
