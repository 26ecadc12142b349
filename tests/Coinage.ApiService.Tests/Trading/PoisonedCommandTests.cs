using System.Globalization;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// OCO and amend commands the matching host cannot apply (the place command's case is in
/// <see cref="GroupCommitTests"/>), on a database of their own: each fails alone <c>PoisonAttempts</c> times and is
/// taken out of the stream; the market goes on with the next command; what the command held is given back exactly (both
/// legs of a pair rejected and the pair's hold released; an amend's extra hold released and its order left with its
/// terms and its own hold); ops see it in <c>coinage.matching.commands_quarantined</c>; the invariants of DESIGN.md §2
/// and the reconciliation's checks hold.
/// </summary>
public sealed class PoisonedCommandTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task A_poisoned_oco_or_amend_command_is_taken_out_of_the_stream_gives_back_exactly_what_it_held_and_the_market_goes_on()
    {
        var database = await infrastructure.CreateDatabaseAsync("poison");
        var redis = infrastructure.RedisConnectionString + ",defaultDatabase=12";
        using var counters = new CounterRecorder("coinage.matching.commands_quarantined");
        await using var api = new ApiFactory(database, redis);
        await using var worker = new MatchingWorkerFactory(database, redis);
        _ = worker.Services;
        var alice = await Trader.CreateAsync(api, database, "poison-alice");
        var bob = await Trader.CreateAsync(api, database, "poison-bob");
        await alice.DepositAsync("BTC", "1");
        await alice.DepositAsync("ETH", "10");
        await bob.DepositAsync("ETH", "10");
        var bid = await alice.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.05", quantity = "1" });
        var bidId = long.Parse(bid.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
        await ExchangeDatabase.WaitProcessedAsync(database);
        // 1 × 0.05 + 20 bps: 0.0501 BTC held by the bid.
        Assert.Equal((0.9499m, 0.0501m), (await alice.BalancesAsync())["BTC"]);

        long amendSequence, limitLeg, stopLeg;
        await using (var db = ExchangeDatabase.Open(database, out var dataSource))
        await using (dataSource)
        {
            var market = await db.Markets.SingleAsync(m => m.Symbol == "ETH-BTC", Ct);
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            var spot = ExchangeCatalog.ToSpotMarket(market, assets);
            var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == bidId, Ct);
            var owner = order.OwnerId;
            var now = DateTimeOffset.UtcNow;
            await using var tx = await db.Database.BeginTransactionAsync(Ct);

            // An amend whose extra hold of 0.01 BTC was taken (the ledger has it, as the API's group commit writes it),
            // but whose price no long holds: the matching host cannot read its terms, every time. Written the way a bug
            // in an earlier release could have left it.
            amendSequence = await ExchangeCatalog.NextCommandSequenceAsync(db, Ct);
            await LedgerStore.PostAsync(db, [LedgerOperations.AmendHold(order.ToLedgerState(assets["BTC"]), 0.01m)!], assets, now, Ct);
            db.MarketCommands.Add(new MarketCommand
            {
                Sequence = amendSequence, MarketId = market.Id, Type = MarketCommandType.Amend, OwnerId = owner, OrderId = bidId, CreatedAt = now,
                Payload = """{"PriceTicks":99999999999999999999,"QuantityLots":1000,"ExtraHold":0.01,"HoldAsset":"BTC"}""",
            });

            // A sell pair (limit 0.5 ETH at 0.06, stop 0.04/0.039) holding 0.5 ETH, whose limit leg's row asks for 1 ETH: its
            // hold cannot cover it once it rests, so settlement refuses it every time.
            limitLeg = await ExchangeCatalog.NextCommandSequenceAsync(db, Ct);
            stopLeg = await ExchangeCatalog.NextCommandSequenceAsync(db, Ct);
            var (price, trigger, stopPrice) = (Ticks(0.06m), Ticks(0.04m), Ticks(0.039m));
            var half = spot.Spec.TryToQuantityLots(0.5m, out var lots) ? lots : throw new InvalidOperationException("0.5 ETH is off the lot grid");
            var (limitState, stopState, pairHold) = LedgerOperations.PlaceOco(spot,
                PlaceOrder.Limit(limitLeg, owner, Side.Sell, price, half, TimeInForce.GoodTillCancel, false, SelfTradePrevention.CancelNewest),
                PlaceOrder.Limit(stopLeg, owner, Side.Sell, stopPrice, half, TimeInForce.GoodTillCancel, false, SelfTradePrevention.CancelNewest)
                    with { Trigger = TriggerType.Stop, TriggerPrice = trigger });
            await LedgerStore.PostAsync(db, [pairHold], assets, now, Ct);
            db.Orders.Add(Leg(limitLeg, stopLeg, price, half * 2, 0, TriggerType.None, limitState.OriginalHold));
            db.Orders.Add(Leg(stopLeg, limitLeg, stopPrice, half, trigger, TriggerType.Stop, stopState.OriginalHold));
            db.MarketCommands.Add(new MarketCommand
            {
                Sequence = limitLeg, MarketId = market.Id, Type = MarketCommandType.PlaceOco, OwnerId = owner, OrderId = limitLeg, Payload = "{}", CreatedAt = now,
            });
            await db.SaveChangesAsync(Ct);
            await tx.CommitAsync(Ct);

            long Ticks(decimal value) => spot.Spec.TryToPriceTicks(value, out var ticks) ? ticks : throw new InvalidOperationException($"{value} is off the tick grid");

            OrderRecord Leg(long id, long partner, long limitPrice, long lots, long triggerPrice, TriggerType triggerType, decimal held) => new()
            {
                Id = id, MarketId = market.Id, OwnerId = owner, RequestHash = "poison", Side = Side.Sell, Type = OrderType.Limit,
                TimeInForce = TimeInForce.GoodTillCancel, SelfTradePrevention = SelfTradePrevention.CancelNewest, LimitPriceTicks = limitPrice,
                QuantityLots = lots, TriggerType = triggerType, TriggerPriceTicks = triggerPrice, HoldAsset = "ETH", OriginalHold = held, RemainingHold = held,
                OcoPartnerId = partner, Status = OrderStatus.Pending, CreatedAt = now, UpdatedAt = now,
            };
        }
        // While they wait, the amend's extra and the pair's hold are claims of their own on the held balances.
        Assert.Equal((0.9399m, 0.0601m), (await alice.BalancesAsync())["BTC"]);
        Assert.Equal((9.5m, 0.5m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);

        // The market goes on: bob's sell after both is matched with alice's bid, at the bid's own price.
        var ask = await bob.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.05", quantity = "0.1" });
        var askId = long.Parse(ask.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM market_commands WHERE sequence = @id AND processed_at IS NULL", ("id", askId)) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the command after the poisoned ones was never processed");
            await Task.Delay(100, Ct);
        }
        Assert.Equal("filled", (await bob.GetAsync($"/api/v1/orders/{askId}")).GetProperty("status").GetString());

        // Both taken out of the stream.
        foreach (var sequence in new[] { amendSequence, limitLeg })
        {
            Assert.Equal("failed", await ExchangeDatabase.ScalarAsync<string>(database, "SELECT result FROM market_commands WHERE sequence = @s", ("s", sequence)));
        }
        // The amended order kept its terms and its own hold (less what its fill spent); the amend's extra came back: the
        // BTC that left alice is the fill's 0.005 and its maker fee, nothing else, and what is held is the bid's hold.
        var kept = await alice.GetAsync($"/api/v1/orders/{bidId}");
        Assert.Equal(("partially_filled", "0.05", "1", "0.1", "0.005", "processing_failed"), (kept.GetProperty("status").GetString(), kept.GetProperty("price").GetString(),
            kept.GetProperty("quantity").GetString(), kept.GetProperty("filledQuantity").GetString(), kept.GetProperty("filledQuote").GetString(),
            kept.GetProperty("lastAmendRejection").GetString()));
        var (fee, hold) = (Trader.Dec(kept.GetProperty("fee")), Trader.Dec(kept.GetProperty("remainingHold")));
        Assert.True(hold <= 0.0501m - 0.005m, $"the bid holds {hold}: more than its own hold less its fill");
        Assert.Equal((1m - 0.005m - fee - hold, hold), (await alice.BalancesAsync())["BTC"]);
        // Both legs of the pair rejected, and the pair's hold back.
        foreach (var leg in new[] { limitLeg, stopLeg })
        {
            var rejected = await alice.GetAsync($"/api/v1/orders/{leg}");
            Assert.Equal(("rejected", "processing_failed", "0"), (rejected.GetProperty("status").GetString(), rejected.GetProperty("closeReason").GetString(),
                rejected.GetProperty("remainingHold").GetString()));
        }
        Assert.Equal((10.1m, 0m), (await alice.BalancesAsync())["ETH"]);
        await ExchangeDatabase.AssertInvariantsAsync(database);
        await OcoOrderTests.AssertReconciledAsync(database);

        // Ops see each one, by market and command type (alert MarketCommandQuarantined).
        Assert.Equal(new Dictionary<string, long> { ["amend"] = 1, ["place_oco"] = 1 },
            counters.By(CounterRecorder.Of(worker.Services), "coinage.matching.commands_quarantined", "type"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
