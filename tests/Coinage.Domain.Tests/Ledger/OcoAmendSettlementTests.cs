using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

/// <summary>
/// Settlement of one-cancels-the-other pairs and amends on hand-computed numbers (BTC-USD: $1 ticks, 0.01 BTC lots,
/// maker 10 bps, taker 20 bps, holds reserve 20 bps; owners 1 to 3 start with $100,000 and 10 BTC
/// each, <see cref="LedgerHarness.BtcUsdFunded"/>): a pair holds the larger leg's need once, on its limit leg, until
/// the pair is decided; the stop leg that fires takes it over; an amend resizes the hold. Held funds equal the open
/// orders' holds after every step.
/// </summary>
public sealed class OcoAmendSettlementTests
{
    [Fact]
    public void A_buy_pair_keeps_the_larger_hold_while_it_rests_and_hands_it_to_the_stop_leg_that_fires()
    {
        var h = LedgerHarness.BtcUsdFunded();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 1));
        h.Place(PlaceOrder.Limit(2, 3, Side.Buy, 50_000, 1)); // last trade 50,000
        h.Place(PlaceOrder.Limit(3, 2, Side.Sell, 52_000, 10));
        // 0.1 BTC: the limit leg at 49,000 needs 4,909.80, the stop-limit leg at 52,000 needs 5,210.40: the pair holds the larger once.
        h.PlaceOco(PlaceOrder.Limit(4, 1, Side.Buy, 49_000, 10), PlaceOrder.Limit(5, 1, Side.Buy, 52_000, 10).WithStop(51_000));
        Assert.Equal((OrderStatus.Open, 5_210.40m), (h.Order(4).Status, h.Order(4).RemainingHold));
        Assert.Equal((OrderStatus.Untriggered, 0m), (h.Order(5).Status, h.Order(5).RemainingHold));
        Assert.Equal(5_210.40m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();

        // A trade at 51,000 fires the stop: the limit leg is cancelled and its hold goes to the stop leg, which buys 0.1 at 52,000.
        h.Place(PlaceOrder.Limit(6, 2, Side.Sell, 51_000, 1));
        h.Place(PlaceOrder.Limit(7, 3, Side.Buy, 51_000, 1));
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.OcoPartner, 0m), (h.Order(4).Status, h.Order(4).CloseReason, h.Order(4).RemainingHold));
        Assert.Equal((OrderStatus.Filled, 0m), (h.Order(5).Status, h.Order(5).RemainingHold));
        // 5,200 + taker fee 10.40: exactly the pair's hold; nothing is left held.
        Assert.Equal((0m, 100_000m - 5_210.40m), (h.Ledger.Held(1, Asset.Usd), h.Ledger.Available(1, Asset.Usd)));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void The_limit_leg_trading_cancels_the_stop_and_keeps_only_its_own_need()
    {
        var h = LedgerHarness.BtcUsdFunded();
        h.PlaceOco(PlaceOrder.Limit(1, 1, Side.Buy, 49_000, 10), PlaceOrder.Limit(2, 1, Side.Buy, 52_000, 10).WithStop(51_000));
        h.Place(PlaceOrder.Limit(3, 2, Side.Sell, 49_000, 4));
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.OcoPartner), (h.Order(2).Status, h.Order(2).CloseReason));
        // 0.06 left at 49,000 = 2,940 + 20 bps 5.88; the maker fee of the 0.04 bought (1.96) is paid from the hold.
        Assert.Equal((OrderStatus.PartiallyFilled, 2_945.88m), (h.Order(1).Status, h.Order(1).RemainingHold));
        Assert.Equal(2_945.88m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();

        h.Cancel(1, 1);
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Cancelling_either_leg_releases_the_pair_hold_once()
    {
        var h = LedgerHarness.BtcUsdFunded();
        h.PlaceOco(PlaceOrder.Limit(1, 1, Side.Buy, 49_000, 10), PlaceOrder.Limit(2, 1, Side.Buy, 52_000, 10).WithStop(51_000));
        var result = h.Cancel(2, 1);
        Assert.Equal((OrderCloseReason.User, OrderCloseReason.OcoPartner), (h.Order(2).CloseReason, h.Order(1).CloseReason));
        Assert.Single(result.Entries);
        Assert.Equal((0m, 100_000m), (h.Ledger.Held(1, Asset.Usd), h.Ledger.Available(1, Asset.Usd)));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void An_amend_resizes_the_hold_up_and_down()
    {
        var h = LedgerHarness.BtcUsdFunded();
        h.Place(PlaceOrder.Limit(1, 1, Side.Buy, 50_000, 10)); // 5,000 + 10.00
        h.Amend(1, 50_000, 20);
        Assert.Equal((20L, 10_020.00m), (h.Order(1).Quantity, h.Order(1).RemainingHold));
        Assert.Equal(10_020.00m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();

        h.Amend(1, 49_000, 5); // 2,450 + 4.90: the rest released
        Assert.Equal((49_000L, 5L, 2_454.90m), (h.Order(1).LimitPrice, h.Order(1).Quantity, h.Order(1).RemainingHold));
        Assert.Equal((2_454.90m, 100_000m - 2_454.90m), (h.Ledger.Held(1, Asset.Usd), h.Ledger.Available(1, Asset.Usd)));
        h.Ledger.AssertHealthy();
    }
}
