using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.MarketData;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// The risk controls (docs/exchange.md, "Risk controls") on the real platform: each refusal with its code and field,
/// the open-order cap under concurrent placements through two API replicas, the kill switches, and the circuit breaker
/// halting on a trade sequence and reopening through cancel-only to trading. Each test trades a market of its own
/// (a fresh asset against USD), so its limits and halts touch no other test.
/// </summary>
public sealed class RiskControlTests(InfrastructureFixture infrastructure)
{
    private const string AdminPassword = "bootstrap admin passphrase 2026";

    private string Db => infrastructure.PostgresConnectionString;

    /// <summary>Limits of the tests' markets; each test overrides what it is about.</summary>
    private static Dictionary<string, object?> Risk(
        string? band = null, string? maxSize = null, string? maxNotional = null, int? openOrders = null,
        string? breaker = null, int window = 300, int halt = 300, int cancelOnly = 60) => new()
    {
        ["priceBandPercent"] = band, ["maxOrderSize"] = maxSize, ["maxOrderNotional"] = maxNotional, ["openOrderLimit"] = openOrders,
        ["breakerMovePercent"] = breaker, ["breakerWindowSeconds"] = window, ["breakerHaltSeconds"] = halt, ["breakerCancelOnlySeconds"] = cancelOnly,
    };

    [Fact]
    public async Task Size_notional_and_price_band_refuse_with_their_code_the_field_and_the_limit()
    {
        var (api, admin) = await PlatformAsync();
        await using var platform = api;
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var (symbol, code) = await NewMarketAsync(admin, Risk(band: "10", maxSize: "50", maxNotional: "1000"));
        var seller = await Trader.CreateAsync(api, Db, "band-seller");
        var buyer = await Trader.CreateAsync(api, Db, "band-buyer");
        await seller.DepositAsync(code, "500");
        await buyer.DepositAsync("USD", "10000");

        await AssertRefusedAsync(await seller.PlaceRawAsync(Limit(symbol, "sell", "10", "51")), HttpStatusCode.UnprocessableEntity, "max_order_size", "quantity",
            body => Assert.Equal("50", body.GetProperty("maxOrderSize").GetString()));
        await AssertRefusedAsync(await buyer.PlaceRawAsync(Limit(symbol, "buy", "30", "40")), HttpStatusCode.UnprocessableEntity, "max_order_notional", "quantity",
            body => Assert.Equal("1000", body.GetProperty("maxOrderNotional").GetString()));
        await AssertRefusedAsync(await buyer.PlaceRawAsync(new { market = symbol, side = "buy", type = "market", quoteAmount = "1000.01" }),
            HttpStatusCode.UnprocessableEntity, "max_order_notional", "quoteAmount");

        // Nothing to judge a price by yet (no trade, one side only): no band.
        await seller.PlaceAsync(Limit(symbol, "sell", "10", "5"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "8", "5"));
        await WaitBookAsync(buyer, symbol, bids: 1, asks: 1);
        // No trade, and a spread wider than the band (8 and 10 are 11 % from their mid, 9): that mid is no reference.
        await buyer.PlaceAsync(Limit(symbol, "buy", "5", "1"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "9.2", "1"));
        await WaitBookAsync(buyer, symbol, bids: 3, asks: 1);
        // A tight book: the reference is its mid, 9.6; 10 % of it is 0.96.
        await AssertRefusedAsync(await buyer.PlaceRawAsync(Limit(symbol, "buy", "8.63", "1")), HttpStatusCode.UnprocessableEntity, "price_band", "price",
            body => Assert.Equal(("8.64", "10.56", "9.6"), Band(body)));
        await buyer.PlaceAsync(Limit(symbol, "buy", "9.9", "1"));
        await WaitBookAsync(buyer, symbol, bids: 4, asks: 1);
        // Mid (9.9 + 10) / 2 = 9.95: 10 is inside, and trades.
        await buyer.PlaceAsync(Limit(symbol, "buy", "10", "2"));
        await WaitTradesAsync(buyer, symbol, 1);
        // Traded: the reference is the last trade, 10.
        await AssertRefusedAsync(await seller.PlaceRawAsync(Limit(symbol, "sell", "8.99", "1")), HttpStatusCode.UnprocessableEntity, "price_band", "price",
            body => Assert.Equal(("9", "11", "10"), Band(body)));
        await AssertRefusedAsync(await buyer.PlaceRawAsync(Limit(symbol, "buy", "11.01", "1")), HttpStatusCode.UnprocessableEntity, "price_band", "price");
        await seller.PlaceAsync(Limit(symbol, "sell", "11", "1"));
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_market_sell_into_a_thin_book_stops_at_the_band_and_its_rest_is_cancelled_price_band_with_its_hold_released()
    {
        var (api, admin) = await PlatformAsync();
        await using var platform = api;
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var (symbol, code) = await NewMarketAsync(admin, Risk(band: "10"));
        var seller = await Trader.CreateAsync(api, Db, "protected-seller");
        var buyer = await Trader.CreateAsync(api, Db, "thin-bidder");
        await seller.DepositAsync(code, "100");
        await buyer.DepositAsync("USD", "10000");

        // A stale bid at 50, placed while there was nothing to judge a price by (one side only, no trade).
        await buyer.PlaceAsync(Limit(symbol, "buy", "50", "10"));
        await seller.PlaceAsync(Limit(symbol, "sell", "100", "1"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "100", "1"));
        await WaitTradesAsync(buyer, symbol, 1);
        // Last trade 100, band 90 to 110: 95 is inside, 50 far below.
        await buyer.PlaceAsync(Limit(symbol, "buy", "95", "2"));
        await WaitBookAsync(buyer, symbol, bids: 2, asks: 0);

        var sell = await seller.PlaceAsync(new { market = symbol, side = "sell", type = "market", quantity = "5" });
        var id = sell.GetProperty("id").GetString();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement order;
        while ((order = await seller.GetAsync($"/api/v1/orders/{id}")).GetProperty("status").GetString() is "pending" or "open" or "partially_filled")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the market sell was never matched: {order}");
            await Task.Delay(50, Ct);
        }

        Assert.Equal(("cancelled", "price_band", 2m), (order.GetProperty("status").GetString(), order.GetProperty("closeReason").GetString(), Dec(order.GetProperty("filledQuantity"))));
        var history = (await seller.GetAsync($"/api/v1/orders?market={symbol}")).GetProperty("items").EnumerateArray().Single(o => o.GetProperty("id").GetString() == id);
        Assert.Equal("price_band", history.GetProperty("closeReason").GetString());
        // It sold 2 at 95 and nothing at 50; the hold of the 3 it did not sell is released.
        var trades = await buyer.GetAsync($"/api/v1/markets/{symbol}/trades");
        Assert.Equal(["100", "95"], trades.EnumerateArray().Select(t => t.GetProperty("price").GetString()).Order(StringComparer.Ordinal));
        var balances = await seller.BalancesAsync();
        Assert.Equal((97m, 0m), balances[code]);
        Assert.Equal(100m + 190m, balances["USD"].Available);
        var book = await buyer.GetAsync($"/api/v1/markets/{symbol}/book");
        Assert.Equal("50", book.GetProperty("bids")[0][0].GetString());
        Assert.Equal(500m, (await buyer.BalancesAsync())["USD"].Held);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_stop_market_sell_fired_by_a_trade_sells_only_inside_the_band_around_that_trade_and_its_rest_is_cancelled_price_band()
    {
        var (api, admin) = await PlatformAsync();
        await using var platform = api;
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var (symbol, code) = await NewMarketAsync(admin, Risk(band: "10"));
        var stopper = await Trader.CreateAsync(api, Db, "stop-band-seller");
        var buyer = await Trader.CreateAsync(api, Db, "stop-band-bidder");
        var trigger = await Trader.CreateAsync(api, Db, "stop-band-trigger");
        await stopper.DepositAsync(code, "10");
        await trigger.DepositAsync(code, "1");
        await buyer.DepositAsync("USD", "10000");

        // Bids placed while there is nothing to judge a price by (one side only, no trade): 3 at 9.50, 2 at 9.00, and a
        // stale 5 at 8.00. A stop-market sell of 6 waits for a trade at or below 9.50 (before the first trade, it is armed).
        await buyer.PlaceAsync(Limit(symbol, "buy", "9.5", "3"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "9", "2"));
        var stale = await buyer.PlaceAsync(Limit(symbol, "buy", "8", "5"));
        var stop = await stopper.PlaceAsync(new { market = symbol, side = "sell", type = "stop_market", triggerPrice = "9.5", quantity = "6" });
        var id = stop.GetProperty("id").GetString();
        Assert.Equal("6", stop.GetProperty("remainingHold").GetString());
        await WaitBookAsync(buyer, symbol, bids: 3, asks: 0);
        Assert.Equal("untriggered", (await stopper.GetAsync($"/api/v1/orders/{id}")).GetProperty("status").GetString());
        Assert.Equal((4m, 6m), (await stopper.BalancesAsync())[code]);

        // A trade of 1 at 9.50 fires it. Its band is the one around that trade, 8.55 to 10.45, fixed when it starts
        // matching: it sells the 2 left at 9.50 and the 2 at 9.00, and not one at 8.00.
        await trigger.PlaceAsync(Limit(symbol, "sell", "9.5", "1"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement order;
        while ((order = await stopper.GetAsync($"/api/v1/orders/{id}")).GetProperty("status").GetString() is "untriggered" or "open" or "partially_filled")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the stop was never fired and matched: {order}");
            await Task.Delay(50, Ct);
        }
        Assert.Equal(("cancelled", "price_band", "stop_market", "4", "37", "0"), (order.GetProperty("status").GetString(), order.GetProperty("closeReason").GetString(),
            order.GetProperty("type").GetString(), order.GetProperty("filledQuantity").GetString(), order.GetProperty("filledQuote").GetString(),
            order.GetProperty("remainingHold").GetString()));
        Assert.NotEqual(JsonValueKind.Null, order.GetProperty("triggeredAt").ValueKind);
        var history = (await stopper.GetAsync($"/api/v1/orders?market={symbol}")).GetProperty("items").EnumerateArray().Single(o => o.GetProperty("id").GetString() == id);
        Assert.Equal(("cancelled", "price_band"), (history.GetProperty("status").GetString(), history.GetProperty("closeReason").GetString()));
        // One trade with each bid it reached: 2 at 9.50 (the 3 less the trigger's 1) and 2 at 9.00.
        Assert.Equal(["2 at 9", "2 at 9.5"], (await stopper.GetAsync("/api/v1/fills")).GetProperty("items").EnumerateArray()
            .Where(f => f.GetProperty("orderId").GetString() == id)
            .Select(f => $"{f.GetProperty("quantity").GetString()} at {f.GetProperty("price").GetString()}").Order(StringComparer.Ordinal));

        // The hold of the 2 it did not sell is back, to the unit: 10 − 4 sold, nothing held; 2 × 9.50 + 2 × 9.00 = 37 USD (no fees here).
        var balances = await stopper.BalancesAsync();
        Assert.Equal((6m, 0m), balances[code]);
        Assert.Equal((37m, 0m), balances["USD"]);
        // The stale bid at 8.00 is untouched and still holds its 40 USD.
        Assert.Equal(("open", "0"), (await buyer.GetAsync($"/api/v1/orders/{stale.GetProperty("id").GetString()}")) is var bid
            ? (bid.GetProperty("status").GetString(), bid.GetProperty("filledQuantity").GetString()) : default);
        Assert.Equal(40m, (await buyer.BalancesAsync())["USD"].Held);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task An_oco_request_reads_the_last_trade_once_for_its_price_rule_and_both_legs_band_checks()
    {
        var (api, admin) = await PlatformAsync();
        await using var platform = api;
        var (symbol, code) = await NewMarketAsync(admin, Risk(band: "10"));
        var trader = await Trader.CreateAsync(api, Db, "oco-reads");
        await trader.DepositAsync(code, "10");

        // A young market: Redis has no trade, so every read of the last trade goes on to PostgreSQL, where the queries of
        // this one request (its trace) are counted.
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
        var queries = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Microsoft.Extensions.Hosting.BackgroundQueryFilter.NpgsqlSource,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    queries.Enqueue(string.Join(' ', activity.TagObjects.Select(t => t.Value?.ToString())));
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/orders/oco", UriKind.Relative))
        {
            Content = JsonContent.Create(new { market = symbol, side = "sell", quantity = "1", price = "10", triggerPrice = "9", stopPrice = "8.9" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await trader.Http.SendAsync(request, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));

        // The pair's price rule and the band checks of its two legs judge by one read (they made three).
        Assert.Single(queries, q => q.Contains("FROM trades", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_open_order_cap_holds_under_concurrent_placements_through_two_replicas_with_two_writers_each()
    {
        var (api, admin) = await PlatformAsync(new() { ["Coinage:Trading:GroupCommit:Writers"] = "2" });
        await using var platform = api;
        await using var replica = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Trading:GroupCommit:Writers"] = "2" });
        const int cap = 5;
        var (symbol, _) = await NewMarketAsync(admin, Risk(openOrders: cap));
        var trader = await Trader.CreateAsync(api, Db, "cap");
        await trader.DepositAsync("USD", "100000");
        // The same session through the second replica: the placements of one trader race through four writers.
        using var other = replica.CreateClient();
        other.DefaultRequestHeaders.Authorization = trader.Http.DefaultRequestHeaders.Authorization;

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            (i % 2 == 0 ? trader.Http : other).PostAsJsonAsync("/api/v1/orders", Limit(symbol, "buy", $"{1 + i}", "1"), Ct)));
        var codes = new List<string>();
        foreach (var response in responses)
        {
            using (response)
            {
                var body = await JsonAsync(response);
                codes.Add(response.StatusCode == HttpStatusCode.Created ? "created" : body.GetProperty("code").GetString()!);
            }
        }
        Assert.Equal(cap, codes.Count(c => c == "created"));
        Assert.Equal(24 - cap, codes.Count(c => c == "open_order_limit"));
        Assert.Equal(cap, (await trader.GetAsync($"/api/v1/orders/open?market={symbol}")).GetProperty("items").GetArrayLength());

        // A cancelled order frees its place once the matching host has processed the cancel.
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var first = (await trader.GetAsync($"/api/v1/orders/open?market={symbol}")).GetProperty("items")[0].GetProperty("id").GetString();
        using (var cancel = await trader.Http.DeleteAsync(new Uri($"/api/v1/orders/{first}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        await ExchangeDatabase.WaitProcessedAsync(Db, TimeSpan.FromSeconds(60));
        await trader.PlaceAsync(Limit(symbol, "buy", "0.5", "1"));
        await AssertRefusedAsync(await trader.PlaceRawAsync(Limit(symbol, "buy", "0.6", "1")), HttpStatusCode.UnprocessableEntity, "open_order_limit", null);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Kill_switches_cancel_only_halt_and_a_suspended_trader_take_cancels_only_and_are_audited()
    {
        var (api, admin) = await PlatformAsync();
        await using var platform = api;
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var (symbol, _) = await NewMarketAsync(admin, Risk());
        var email = IdentityTestClient.NewEmail("suspended");
        var trader = await TraderAsync(api, email);
        var other = await Trader.CreateAsync(api, Db, "not-suspended");
        await trader.DepositAsync("USD", "1000");
        await other.DepositAsync("USD", "1000");
        var resting = await trader.PlaceAsync(Limit(symbol, "buy", "5", "1"));

        // Not an Admin: refused.
        using (var forbidden = await trader.Http.PostAsync(new Uri($"/api/v1/admin/markets/{symbol}/cancel-only", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        Assert.Equal("cancel_only", await SetStatusAsync(admin, symbol, "cancel-only"));
        Assert.Equal(("cancel_only", "admin"), await StatusAsync(trader, symbol));
        await AssertRefusedAsync(await other.PlaceRawAsync(Limit(symbol, "buy", "5", "1")), HttpStatusCode.Conflict, "market_cancel_only", null);
        Assert.Equal("halted", await SetStatusAsync(admin, symbol, "halt"));
        await AssertRefusedAsync(await other.PlaceRawAsync(Limit(symbol, "buy", "5", "1")), HttpStatusCode.Conflict, "market_halted", null);
        Assert.Equal("open", await SetStatusAsync(admin, symbol, "resume"));
        await other.PlaceAsync(Limit(symbol, "buy", "5", "1"));

        var userId = await ExchangeDatabase.ScalarAsync<string>(Db, "SELECT id::text FROM users WHERE normalized_email = upper(@e)", ("e", email));
        using (var suspend = await admin.Http.PostAsJsonAsync($"/api/v1/admin/users/{userId}/trading-suspension", new { cancelOrders = true }, Ct))
        {
            var body = await JsonAsync(suspend);
            Assert.True(suspend.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.True(body.GetProperty("suspended").GetBoolean());
        }
        await AssertRefusedAsync(await trader.PlaceRawAsync(Limit(symbol, "buy", "5", "1")), HttpStatusCode.Forbidden, "trading_suspended", null);
        // Its open order was cancelled by the suspension; the other trader's is untouched.
        await ExchangeDatabase.WaitProcessedAsync(Db, TimeSpan.FromSeconds(60));
        Assert.Equal("cancelled", (await trader.GetAsync($"/api/v1/orders/{resting.GetProperty("id").GetString()}")).GetProperty("status").GetString());
        Assert.Equal(1, (await other.GetAsync($"/api/v1/orders/open?market={symbol}")).GetProperty("items").GetArrayLength());
        Assert.True((await admin.GetAsync($"/api/v1/admin/users/{userId}/trading-suspension")).GetProperty("suspended").GetBoolean());
        using (var lift = await admin.Http.DeleteAsync(new Uri($"/api/v1/admin/users/{userId}/trading-suspension", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        }
        await trader.PlaceAsync(Limit(symbol, "buy", "5", "1"));

        foreach (var action in new[] { "market.cancel_only", "market.halted", "market.resumed", "market.risk_updated" })
        {
            Assert.True(await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM audit_entries WHERE action = @a AND data LIKE @m", ("a", action), ("m", $"%{symbol}%")) > 0, action);
        }
        foreach (var action in new[] { "user.trading_suspended", "user.trading_resumed" })
        {
            Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM audit_entries WHERE action = @a AND subject_user_id::text = @u", ("a", action), ("u", userId)));
        }
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Risk_settings_are_validated_field_by_field_and_shown_with_the_market()
    {
        var (api, admin) = await PlatformAsync();
        await using var platform = api;
        var (symbol, _) = await NewMarketAsync(admin, Risk(band: "12.5", maxSize: "40", maxNotional: "2500", openOrders: 7, breaker: "20", window: 120, halt: 30, cancelOnly: 0));
        var market = await admin.GetAsync($"/api/v1/markets/{symbol}");
        var risk = market.GetProperty("risk");
        Assert.Equal(("12.5", "40", "2500", 7, "20", 120, 30, 0), (risk.GetProperty("priceBandPercent").GetString(), risk.GetProperty("maxOrderSize").GetString(),
            risk.GetProperty("maxOrderNotional").GetString(), risk.GetProperty("openOrderLimit").GetInt32(), risk.GetProperty("breakerMovePercent").GetString(),
            risk.GetProperty("breakerWindowSeconds").GetInt32(), risk.GetProperty("breakerHaltSeconds").GetInt32(), risk.GetProperty("breakerCancelOnlySeconds").GetInt32()));
        using var invalid = await admin.Http.PutAsJsonAsync($"/api/v1/admin/markets/{symbol}/risk",
            Risk(band: "0", maxSize: "1.5", maxNotional: "-1", openOrders: 0, breaker: "101", window: 0, halt: 0, cancelOnly: -1), Ct);
        var body = await JsonAsync(invalid);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_risk_settings"), (invalid.StatusCode, body.GetProperty("code").GetString()));
        Assert.Equal(
            ["breakerCancelOnlySeconds", "breakerHaltSeconds", "breakerMovePercent", "breakerWindowSeconds", "maxOrderNotional", "maxOrderSize", "openOrderLimit", "priceBandPercent"],
            body.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToArray());
        using var unknown = await admin.Http.PutAsJsonAsync("/api/v1/admin/markets/NOPE-USD/risk", Risk(), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_circuit_breaker_halts_on_a_move_and_reopens_through_cancel_only_to_trading()
    {
        var (api, admin) = await PlatformAsync();
        await using var platform = api;
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        await using var restarted = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        // No band (the move is the point); 15 % within a minute, then 3 s halted and 3 s cancel-only.
        var (symbol, code) = await NewMarketAsync(admin, Risk(breaker: "15", window: 60, halt: 3, cancelOnly: 3));
        // A follower of the market sees each status change pushed by the hub.
        await using var hub = await HubClient.ConnectAsync(api);
        await hub.SubscribeAsync(symbol);
        var seller = await Trader.CreateAsync(api, Db, "breaker-seller");
        var buyer = await Trader.CreateAsync(api, Db, "breaker-buyer");
        await seller.DepositAsync(code, "100");
        await buyer.DepositAsync("USD", "10000");
        await seller.PlaceAsync(Limit(symbol, "sell", "100", "1"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "100", "1"));
        await WaitTradesAsync(buyer, symbol, 1);
        // +10 %: within the limit.
        await seller.PlaceAsync(Limit(symbol, "sell", "110", "1"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "110", "1"));
        await WaitTradesAsync(buyer, symbol, 2);
        Assert.Equal(("open", "admin"), await StatusAsync(buyer, symbol));
        // 100 → 115.5 within the window: 15.5 %, beyond 15 %.
        await seller.PlaceAsync(Limit(symbol, "sell", "115.5", "1"));
        var resting = await seller.PlaceAsync(Limit(symbol, "sell", "130", "1"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "115.5", "1"));

        await WaitStatusAsync(buyer, symbol, "halted", "circuit_breaker");
        await hub.WaitForAsync("marketStatus", s => Pushed(s, symbol) == ("halted", "circuit_breaker"));
        var halted = await buyer.GetAsync($"/api/v1/markets/{symbol}");
        Assert.True(halted.GetProperty("statusUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5));
        await AssertRefusedAsync(await buyer.PlaceRawAsync(Limit(symbol, "buy", "100", "1")), HttpStatusCode.Conflict, "market_halted", null);
        // The Worker stops during the halt; the one that starts carries on from the database (status, source, phase end).
        await worker.DisposeAsync();
        _ = restarted.Services;
        // Cancels still go through.
        using (var cancel = await seller.Http.DeleteAsync(new Uri($"/api/v1/orders/{resting.GetProperty("id").GetString()}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        await WaitStatusAsync(buyer, symbol, "cancel_only", "circuit_breaker");
        await hub.WaitForAsync("marketStatus", s => Pushed(s, symbol) == ("cancel_only", "circuit_breaker"));
        await AssertRefusedAsync(await buyer.PlaceRawAsync(Limit(symbol, "buy", "100", "1")), HttpStatusCode.Conflict, "market_cancel_only", null);

        await WaitStatusAsync(buyer, symbol, "open", "admin");
        await hub.WaitForAsync("marketStatus", s => Pushed(s, symbol) == ("open", "admin"));
        // Reopened afresh: the move that tripped it is behind the window's start, so the next trade does not halt it again.
        await seller.PlaceAsync(Limit(symbol, "sell", "115", "1"));
        await buyer.PlaceAsync(Limit(symbol, "buy", "115", "1"));
        await WaitTradesAsync(buyer, symbol, 4);
        await ExchangeDatabase.WaitProcessedAsync(Db, TimeSpan.FromSeconds(60));
        Assert.Equal(("open", "admin"), await StatusAsync(buyer, symbol));

        foreach (var action in new[] { "market.circuit_breaker_tripped", "market.circuit_breaker_cancel_only", "market.circuit_breaker_reopened" })
        {
            Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM audit_entries WHERE action = @a AND data LIKE @m", ("a", action), ("m", $"%{symbol}%")));
        }
        var trip = await ExchangeDatabase.ScalarAsync<string>(Db, "SELECT data FROM audit_entries WHERE action = 'market.circuit_breaker_tripped' AND data LIKE @m", ("m", $"%{symbol}%"));
        using var tripData = JsonDocument.Parse(trip);
        Assert.Equal((100m, 115.5m, 1550), (tripData.RootElement.GetProperty("low").GetDecimal(), tripData.RootElement.GetProperty("high").GetDecimal(), tripData.RootElement.GetProperty("moveBps").GetInt32()));
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    private static (string?, string?) Pushed(JsonElement update, string symbol) =>
        update.GetProperty("market").GetString() == symbol ? (update.GetProperty("status").GetString(), update.GetProperty("source").GetString()) : default;

    private static object Limit(string market, string side, string price, string quantity) => new { market, side, type = "limit", price, quantity };

    private static (string?, string?, string?) Band(JsonElement body)
    {
        var band = body.GetProperty("band");
        return (band.GetProperty("low").GetString(), band.GetProperty("high").GetString(), band.GetProperty("reference").GetString());
    }

    private async Task<(ApiFactory Api, Trader Admin)> PlatformAsync(Dictionary<string, string?>? settings = null)
    {
        var adminEmail = IdentityTestClient.NewEmail("admin");
        var all = new Dictionary<string, string?>(settings ?? []) { ["Coinage:Admin:Email"] = adminEmail, ["Coinage:Admin:Password"] = AdminPassword };
        var api = new ApiFactory(infrastructure, all);
        var access = await new IdentityTestClient(api.CreateClient(), Db).BootstrapAdminAsync(adminEmail, AdminPassword);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return (api, new Trader(http));
    }

    private async Task<Trader> TraderAsync(ApiFactory api, string email)
    {
        var (access, _) = await new IdentityTestClient(api.CreateClient(), Db).SignedInUserAsync(email);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new Trader(http);
    }

    /// <summary>A fresh asset against USD ($0.01 ticks, whole lots, no fees) with the given risk controls.</summary>
    private static async Task<(string Symbol, string Code)> NewMarketAsync(Trader admin, Dictionary<string, object?> risk)
    {
        var code = "R" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(6)).ToUpperInvariant();
        using (var asset = await admin.Http.PostAsJsonAsync("/api/v1/admin/assets", new { code, precision = 6 }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, asset.StatusCode);
        }
        using (var market = await admin.Http.PostAsJsonAsync("/api/v1/admin/markets",
            new { baseAsset = code, quoteAsset = "USD", tickSize = "0.01", lotSize = "1", minQuantity = "1", minNotional = "0.01", makerFeeBps = "0", takerFeeBps = "0" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, market.StatusCode);
        }
        var symbol = $"{code}-USD";
        using (var update = await admin.Http.PutAsJsonAsync($"/api/v1/admin/markets/{symbol}/risk", risk, Ct))
        {
            var body = await JsonAsync(update);
            Assert.True(update.StatusCode == HttpStatusCode.OK, body.ToString());
        }
        return (symbol, code);
    }

    private static async Task<string?> SetStatusAsync(Trader admin, string symbol, string action)
    {
        using var response = await admin.Http.PostAsync(new Uri($"/api/v1/admin/markets/{symbol}/{action}", UriKind.Relative), null, Ct);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("status").GetString();
    }

    private static async Task<(string?, string?)> StatusAsync(Trader trader, string symbol)
    {
        var market = await trader.GetAsync($"/api/v1/markets/{symbol}");
        return (market.GetProperty("status").GetString(), market.GetProperty("statusSource").GetString());
    }

    private static async Task WaitStatusAsync(Trader trader, string symbol, string status, string source)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await StatusAsync(trader, symbol) != (status, source))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{symbol} never became {status} ({source}); it is {await StatusAsync(trader, symbol)}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Waits until the published book (what the API judges a price by) has these many levels a side.</summary>
    private static async Task WaitBookAsync(Trader trader, string symbol, int bids, int asks)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var book = await trader.GetAsync($"/api/v1/markets/{symbol}/book");
            if (book.GetProperty("bids").GetArrayLength() == bids && book.GetProperty("asks").GetArrayLength() == asks)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"book of {symbol}: {book}");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task WaitTradesAsync(Trader trader, string symbol, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await trader.GetAsync($"/api/v1/markets/{symbol}/trades")).GetArrayLength() < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{symbol} has not traded {count} times");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? field, Action<JsonElement>? more = null)
    {
        using (response)
        {
            var body = await JsonAsync(response);
            Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
            Assert.Equal(code, body.GetProperty("code").GetString());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
            if (field is not null)
            {
                Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.ToString());
            }
            more?.Invoke(body);
        }
    }
}
