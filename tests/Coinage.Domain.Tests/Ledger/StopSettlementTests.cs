using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

/// <summary>
/// Settlement of stop and take-profit orders on hand-computed numbers (BTC-USD: $1 ticks, 0.01 BTC lots, maker
/// 10 bps, taker 20 bps, holds reserve 20 bps; owners 1 to 3 start with $100,000 and 10 BTC
/// each, <see cref="LedgerHarness.BtcUsdFunded"/>): held at placement exactly as the order they become, untriggered
/// with the hold untouched, then settled as that order. Held funds equal the open orders' holds after every step.
/// </summary>
public sealed class StopSettlementTests
{
    [Fact]
    public void An_armed_stop_limit_holds_as_its_limit_order_and_settles_like_one_when_it_fires()
    {
        var h = LedgerHarness.BtcUsdFunded();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 10));
        h.Place(PlaceOrder.Limit(2, 2, Side.Sell, 50_500, 10));
        h.Place(PlaceOrder.Limit(3, 1, Side.Buy, 51_000, 20).WithStop(50_000));

        Assert.Equal(OrderStatus.Untriggered, h.Order(3).Status);
        // 0.2 BTC at the limit of 51,000 = 10,200.00 + 20 bps = 20.40.
        Assert.Equal(10_220.40m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();

        // Carol takes 0.01 at 50,000: the stop fires and buys 0.09 at 50,000 and 0.1 at 50,500.
        var result = h.Place(PlaceOrder.Limit(4, 3, Side.Buy, 50_000, 1));
        Assert.Equal([MatchEventKind.Accepted, MatchEventKind.Trade, MatchEventKind.Triggered, MatchEventKind.Trade, MatchEventKind.Trade, MatchEventKind.Rested],
            h.LastEvents.Select(e => e.Kind));
        Assert.Equal(3, result.Trades.Count);
        var stop = h.Order(3);
        Assert.Equal((OrderStatus.PartiallyFilled, 19L), (stop.Status, stop.FilledQuantity));
        // Spent 4,500 + 5,050 = 9,550 + taker fee 19.10; what rests (0.01 at 51,000) keeps 510 + 1.02.
        Assert.Equal(511.02m, stop.RemainingHold);
        Assert.Equal(511.02m, h.Ledger.Held(1, Asset.Usd));
        Assert.Equal(100_000m - 9_550m - 19.10m - 511.02m, h.Ledger.Available(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_stop_market_buy_holds_its_quote_budget_and_a_cancelled_stop_gives_all_of_it_back()
    {
        var h = LedgerHarness.BtcUsdFunded();
        h.Place(PlaceOrder.MarketBuyWithQuote(1, 1, 500_000).WithStop(60_000));
        h.Place(PlaceOrder.Market(2, 1, Side.Sell, 30).WithTakeProfit(70_000));
        // A budget of 5,000.00 plus 20 bps; a sell holds its base.
        Assert.Equal((5_010.00m, 0.3m), (h.Ledger.Held(1, Asset.Usd), h.Ledger.Held(1, Asset.Btc)));
        Assert.All([h.Order(1), h.Order(2)], o => Assert.Equal(OrderStatus.Untriggered, o.Status));
        h.Ledger.AssertHealthy();

        h.CancelAll(1);
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.User, 0m), (h.Order(1).Status, h.Order(1).CloseReason, h.Order(1).RemainingHold));
        Assert.Equal(OrderStatus.Cancelled, h.Order(2).Status);
        Assert.Equal((0m, 0m), (h.Ledger.Held(1, Asset.Usd), h.Ledger.Held(1, Asset.Btc)));
        Assert.Equal((100_000m, 10m), (h.Ledger.Available(1, Asset.Usd), h.Ledger.Available(1, Asset.Btc)));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_stop_that_would_fire_at_once_is_rejected_and_released()
    {
        var h = LedgerHarness.BtcUsdFunded();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 10));
        h.Place(PlaceOrder.Limit(2, 3, Side.Buy, 50_000, 1));
        h.Place(PlaceOrder.Market(3, 1, Side.Sell, 10).WithStop(50_100));

        Assert.Equal((OrderStatus.Rejected, OrderCloseReason.WouldTriggerImmediately), (h.Order(3).Status, h.Order(3).CloseReason));
        Assert.Equal((0m, 10m), (h.Ledger.Held(1, Asset.Btc), h.Ledger.Available(1, Asset.Btc)));
        h.Ledger.AssertHealthy();
    }
}
