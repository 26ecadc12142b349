using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// <c>/api/v1/orders/batch</c> and <c>/batch-cancel</c>: each item answered as the single-order endpoint would
/// answer it, in order, funds held in that order; one refusal fails no other item; a batch costs its size in the
/// per-user rate limit.
/// </summary>
public sealed class OrderBatchTests(InfrastructureFixture infrastructure)
{
    private string Db => infrastructure.PostgresConnectionString;

    // A bid of 10 BTC at $1: notional $10 (the minimum) + 0.2 % fee = $10.02 held; nobody sells at $1, so it rests.
    private static object Bid(string? clientOrderId = null, string price = "1") =>
        new { market = "BTC-USD", side = "buy", type = "limit", price, quantity = "10", clientOrderId };

    [Fact]
    public async Task Each_order_of_a_batch_is_answered_on_its_own_in_order_and_funds_are_held_in_that_order()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db, "batch");
        await trader.DepositAsync("USD", "30.06"); // exactly three bids

        var results = await BatchAsync(trader, "/api/v1/orders/batch", new
        {
            orders = new object?[]
            {
                Bid(),
                Bid(price: "1.5"),                                               // off the $1 tick
                new { market = "DOGE-USD", side = "buy", type = "limit", price = "1", quantity = "10" },
                Bid("keep-1"),
                Bid("keep-1"),                                                   // the same id and terms: the same order
                Bid("keep-1", price: "2"),                                       // the same id, other terms
                Bid(new string('x', 65)),                                        // clientOrderId too long
                null,
                Bid(),                                                           // the third bid that fits
                Bid(),                                                           // the fourth does not
            },
        });

        Assert.Equal([201, 400, 404, 201, 200, 409, 400, 400, 201, 422], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal([null, "invalid_price", "unknown_market", null, null, "duplicate_client_order_id", "validation_failed", "validation_failed", null, "insufficient_funds"],
            results.Select(Code));
        Assert.True(results[6].GetProperty("problem").GetProperty("errors").TryGetProperty("clientOrderId", out _));
        Assert.Equal(results[3].GetProperty("order").GetProperty("id").GetString(), results[4].GetProperty("order").GetProperty("id").GetString());
        Assert.All(new[] { 0, 3, 8 }, i => Assert.Equal("pending", results[i].GetProperty("order").GetProperty("status").GetString()));

        // Exactly the three accepted orders hold funds, once each; nothing else was stored.
        Assert.Equal((0m, 30.06m), (await trader.BalancesAsync())["USD"]);
        var open = (await trader.GetAsync("/api/v1/orders/open")).GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()).Order();
        Assert.Equal(new[] { 0, 3, 8 }.Select(i => results[i].GetProperty("order").GetProperty("id").GetString()).Order(), open);
        await ExchangeDatabase.AssertInvariantsAsync(Db);

        // One audit entry records the request: the three orders it placed, in order; the refusals placed nothing.
        var placed = new[] { 0, 3, 8 }.Select(i => long.Parse(results[i].GetProperty("order").GetProperty("id").GetString()!, CultureInfo.InvariantCulture)).ToList();
        await using var db = ExchangeDatabase.Open(Db, out var dataSource);
        await using (dataSource)
        {
            var needle = $"\"orderId\":{placed[0]},";
            var entry = Assert.Single(await db.AuditEntries.Where(e => e.Action == "order.placed" && e.Data.Contains(needle)).Select(e => e.Data).ToListAsync(Ct));
            using var data = JsonDocument.Parse(entry);
            Assert.Equal(placed, data.RootElement.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("orderId").GetInt64()));
            Assert.Equal("BTC-USD", data.RootElement.GetProperty("orders")[0].GetProperty("market").GetString());
        }
    }

    [Fact]
    public async Task A_batch_that_is_empty_too_long_or_missing_is_a_validation_problem()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db, "batchsize");
        foreach (var (path, body, field) in new (string, object, string)[]
        {
            ("/api/v1/orders/batch", new { orders = Array.Empty<object>() }, "orders"),
            ("/api/v1/orders/batch", new { orders = Enumerable.Range(0, 21).Select(_ => Bid()).ToArray() }, "orders"),
            ("/api/v1/orders/batch", new { }, "orders"),
            ("/api/v1/orders/batch-cancel", new { orderIds = Enumerable.Range(1, 21).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() }, "orderIds"),
        })
        {
            using var response = await trader.Http.PostAsJsonAsync(path, body, Ct);
            var problem = await JsonAsync(response);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        using var anonymous = await api.CreateClient().PostAsJsonAsync("/api/v1/orders/batch", new { orders = new[] { Bid() } }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_batch_cancel_answers_each_id_and_the_matching_host_cancels_each_order_once()
    {
        await using var api = new ApiFactory(infrastructure);
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services; // starts the matching host
        var trader = await Trader.CreateAsync(api, Db, "batchcancel");
        var other = await Trader.CreateAsync(api, Db, "batchother");
        await trader.DepositAsync("USD", "30.06");
        await other.DepositAsync("USD", "10.02");
        var placed = await BatchAsync(trader, "/api/v1/orders/batch", new { orders = new[] { Bid(), Bid(), Bid() } });
        var ids = placed.Select(r => r.GetProperty("order").GetProperty("id").GetString()!).ToList();
        var theirs = (await other.PlaceAsync(Bid())).GetProperty("id").GetString()!;
        await ExchangeDatabase.WaitProcessedAsync(Db);

        var results = await BatchAsync(trader, "/api/v1/orders/batch-cancel", new { orderIds = new[] { ids[0], ids[1], ids[0], theirs, "999999999999", "not-an-id" } });

        Assert.Equal([202, 202, 202, 404, 404, 404], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal([null, null, null, "not_found", "not_found", "not_found"], results.Select(Code));
        await ExchangeDatabase.WaitProcessedAsync(Db);
        // Two cancels stored (the repeated id is one command), both applied; the third order and the other trader's stand.
        Assert.Equal(2, await ExchangeDatabase.ScalarAsync<long>(Db,
            "SELECT count(*) FROM market_commands WHERE type = 2 AND order_id = ANY(@ids)", ("ids", ids.Select(long.Parse).ToArray())));
        Assert.Equal((20.04m, 10.02m), (await trader.BalancesAsync())["USD"]);
        Assert.Equal((0m, 10.02m), (await other.BalancesAsync())["USD"]);
        Assert.Equal("cancelled", (await trader.GetAsync($"/api/v1/orders/{ids[1]}")).GetProperty("status").GetString());
        Assert.Equal("open", (await trader.GetAsync($"/api/v1/orders/{ids[2]}")).GetProperty("status").GetString());
        // One audit entry for the request, naming the two orders it asked to cancel.
        await using (var db = ExchangeDatabase.Open(Db, out var dataSource))
        await using (dataSource)
        {
            var needle = $"\"orderId\":{ids[1]},";
            var entry = Assert.Single(await db.AuditEntries.Where(e => e.Action == "order.cancel_requested" && e.Data.Contains(needle)).Select(e => e.Data).ToListAsync(Ct));
            using var data = JsonDocument.Parse(entry);
            Assert.Equal([long.Parse(ids[0], CultureInfo.InvariantCulture), long.Parse(ids[1], CultureInfo.InvariantCulture)],
                data.RootElement.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("orderId").GetInt64()));
        }

        var again = await BatchAsync(trader, "/api/v1/orders/batch-cancel", new { orderIds = new[] { ids[0], ids[2] } });
        Assert.Equal([409, 202], again.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal("order_not_open", Code(again[0]));
        await ExchangeDatabase.WaitProcessedAsync(Db);
        Assert.Equal((30.06m, 0m), (await trader.BalancesAsync())["USD"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_batch_costs_one_request_per_order_and_one_over_the_budget_is_refused_whole()
    {
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:RateLimits:KeyPrefix"] = $"test:{Guid.NewGuid():N}",
            ["Coinage:RateLimits:Policies:user:Limit"] = "12",
        });
        var trader = await Trader.CreateAsync(api, Db, "batchlimit");
        var prefix = $"rl-{Guid.NewGuid():N}";
        await trader.DepositAsync("USD", "1000");
        var two = await BatchAsync(trader, "/api/v1/orders/batch", new { orders = new[] { Bid($"{prefix}-1"), Bid($"{prefix}-2") } });
        Assert.All(two, r => Assert.Equal(201, r.GetProperty("status").GetInt32()));

        using var response = await trader.Http.PostAsJsonAsync("/api/v1/orders/batch",
            new { orders = Enumerable.Range(3, 10).Select(i => Bid($"{prefix}-{i}")).ToArray() }, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limited", (await JsonAsync(response)).GetProperty("code").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(2, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM orders WHERE client_order_id LIKE @prefix || '-%'", ("prefix", prefix)));
    }

    private static async Task<List<JsonElement>> BatchAsync(Trader trader, string path, object body)
    {
        using var response = await trader.Http.PostAsJsonAsync(path, body, Ct);
        var answer = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {answer}");
        return answer.GetProperty("results").EnumerateArray().ToList();
    }

    private static string? Code(JsonElement result) =>
        result.TryGetProperty("problem", out var problem) && problem.ValueKind == JsonValueKind.Object ? problem.GetProperty("code").GetString() : null;
}
