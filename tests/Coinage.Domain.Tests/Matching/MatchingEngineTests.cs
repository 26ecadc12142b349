using Coinage.Domain.Matching;
using static Coinage.Domain.Matching.Side;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// One rule per test, expected events written out in full. <see cref="EngineHarness"/> checks the
/// invariants (uncrossed book, engine structure, per-order conservation) after every command.
/// </summary>
public sealed class MatchingEngineTests
{
    private const long Alice = 1, Bob = 2, Carol = 3;

    private readonly EngineHarness _h = new();

    [Fact]
    public void A_limit_order_that_does_not_cross_rests()
    {
        Assert.Equal([Ev.Accepted(1, Alice, Buy, 100, 5), Ev.Rested(1, Alice, Buy, 100, 5)], _h.Limit(1, Alice, Buy, 100, 5));

        Assert.Equal(100, _h.Engine.BestBid);
        Assert.Null(_h.Engine.BestAsk);
        Assert.Equal([new RestingOrder(1, Alice, Buy, 100, 5)], _h.Orders(Buy));
        Assert.True(_h.Engine.TryGetOrder(1, out var order));
        Assert.Equal(5, order.Quantity);
    }

    [Fact]
    public void Better_price_trades_first_then_earlier_order_at_the_same_price()
    {
        _h.Limit(1, Bob, Sell, 101, 2);
        _h.Limit(2, Carol, Sell, 100, 2);
        _h.Limit(3, Bob, Sell, 100, 3);

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Buy, 101, 6),
                Ev.Trade(4, Alice, Buy, 2, Carol, 100, 2, 0),
                Ev.Trade(4, Alice, Buy, 3, Bob, 100, 3, 0),
                Ev.Trade(4, Alice, Buy, 1, Bob, 101, 1, 1),
            ],
            _h.Limit(4, Alice, Buy, 101, 6));

        Assert.Equal([new RestingOrder(1, Bob, Sell, 101, 1)], _h.Orders(Sell));
        Assert.Empty(_h.Orders(Buy));
    }

    [Fact]
    public void A_sweep_fills_across_levels_and_rests_the_remainder_at_its_limit()
    {
        _h.Limit(1, Bob, Sell, 100, 3);
        _h.Limit(2, Bob, Sell, 101, 4);
        _h.Limit(3, Carol, Sell, 103, 5);

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Buy, 102, 10),
                Ev.Trade(4, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Trade(4, Alice, Buy, 2, Bob, 101, 4, 0),
                Ev.Rested(4, Alice, Buy, 102, 3),
            ],
            _h.Limit(4, Alice, Buy, 102, 10));

        Assert.Equal([new RestingOrder(4, Alice, Buy, 102, 3)], _h.Orders(Buy));
        Assert.Equal([new RestingOrder(3, Carol, Sell, 103, 5)], _h.Orders(Sell));
        Assert.Equal(1, _h.Engine.LevelCount(Sell));
    }

    [Fact]
    public void A_sell_sweeps_bids_from_the_highest_price_down()
    {
        _h.Limit(1, Bob, Buy, 98, 1);
        _h.Limit(2, Bob, Buy, 99, 1);
        _h.Limit(3, Carol, Buy, 97, 1);

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Sell, 98, 3),
                Ev.Trade(4, Alice, Sell, 2, Bob, 99, 1, 0),
                Ev.Trade(4, Alice, Sell, 1, Bob, 98, 1, 0),
                Ev.Rested(4, Alice, Sell, 98, 1),
            ],
            _h.Limit(4, Alice, Sell, 98, 3));
        Assert.Equal(97, _h.Engine.BestBid);
        Assert.Equal(98, _h.Engine.BestAsk);
    }

    [Fact]
    public void An_exact_fill_removes_both_orders_and_the_level()
    {
        _h.Limit(1, Bob, Sell, 100, 5);

        Assert.Equal([Ev.Accepted(2, Alice, Buy, 100, 5), Ev.Trade(2, Alice, Buy, 1, Bob, 100, 5, 0)], _h.Limit(2, Alice, Buy, 100, 5));

        Assert.Equal(0, _h.Engine.OrderCount);
        Assert.Equal(0, _h.Engine.LevelCount(Sell));
        Assert.Equal(0, _h.Engine.LevelCount(Buy));
    }

    [Fact]
    public void A_partially_filled_maker_keeps_its_place_with_the_rest()
    {
        _h.Limit(1, Bob, Sell, 100, 5);
        _h.Limit(2, Carol, Sell, 100, 5);

        Assert.Equal([Ev.Accepted(3, Alice, Buy, 100, 2), Ev.Trade(3, Alice, Buy, 1, Bob, 100, 2, 3)], _h.Limit(3, Alice, Buy, 100, 2));

        Assert.Equal([new RestingOrder(1, Bob, Sell, 100, 3), new RestingOrder(2, Carol, Sell, 100, 5)], _h.Orders(Sell));
        Assert.Equal([new PriceLevel(100, 8, 2)], _h.Engine.GetSnapshot(10).Asks);
    }

    [Fact]
    public void Immediate_or_cancel_cancels_its_remainder()
    {
        _h.Limit(1, Bob, Sell, 100, 3);

        Assert.Equal(
            [
                Ev.Accepted(2, Alice, Buy, 101, 5),
                Ev.Trade(2, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Cancelled(2, Alice, Buy, 101, 2, CancelReason.ImmediateOrCancelRemainder),
            ],
            _h.Limit(2, Alice, Buy, 101, 5, TimeInForce.ImmediateOrCancel));
        Assert.Equal(0, _h.Engine.OrderCount);
    }

    [Fact]
    public void Immediate_or_cancel_that_cannot_trade_is_cancelled_whole()
    {
        _h.Limit(1, Bob, Sell, 100, 3);

        Assert.Equal(
            [Ev.Accepted(2, Alice, Buy, 99, 5), Ev.Cancelled(2, Alice, Buy, 99, 5, CancelReason.ImmediateOrCancelRemainder)],
            _h.Limit(2, Alice, Buy, 99, 5, TimeInForce.ImmediateOrCancel));
        Assert.Equal([new RestingOrder(1, Bob, Sell, 100, 3)], _h.Orders(Sell));
    }

    [Fact]
    public void Fill_or_kill_fills_when_exactly_enough_is_within_its_price()
    {
        _h.Limit(1, Bob, Sell, 100, 3);
        _h.Limit(2, Carol, Sell, 101, 4);
        _h.Limit(3, Carol, Sell, 102, 9);

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Buy, 101, 7),
                Ev.Trade(4, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Trade(4, Alice, Buy, 2, Carol, 101, 4, 0),
            ],
            _h.Limit(4, Alice, Buy, 101, 7, TimeInForce.FillOrKill));
        Assert.Equal([new RestingOrder(3, Carol, Sell, 102, 9)], _h.Orders(Sell));
    }

    [Theory]
    [InlineData(101, 8)] // one lot more than the book holds up to its price
    [InlineData(100, 4)] // enough lots exist, but not within its price
    public void Fill_or_kill_that_cannot_fill_completely_changes_nothing(long price, long quantity)
    {
        _h.Limit(1, Bob, Sell, 100, 3);
        _h.Limit(2, Carol, Sell, 101, 4);
        var before = _h.Orders(Sell);

        Assert.Equal(
            [Ev.Accepted(3, Alice, Buy, price, quantity), Ev.Cancelled(3, Alice, Buy, price, quantity, CancelReason.FillOrKillNotFillable)],
            _h.Limit(3, Alice, Buy, price, quantity, TimeInForce.FillOrKill));
        Assert.Equal(before, _h.Orders(Sell));
    }

    [Fact]
    public void Fill_or_kill_does_not_count_liquidity_behind_its_owners_own_order()
    {
        _h.Limit(1, Bob, Sell, 100, 3);
        _h.Limit(2, Alice, Sell, 100, 2);
        _h.Limit(3, Carol, Sell, 100, 5);
        var before = _h.Orders(Sell);

        // Cancel-newest stops at Alice's own order after 3 lots: 6 cannot fill, so nothing happens.
        Assert.Equal(
            [Ev.Accepted(4, Alice, Buy, 100, 6), Ev.Cancelled(4, Alice, Buy, 100, 6, CancelReason.FillOrKillNotFillable)],
            _h.Limit(4, Alice, Buy, 100, 6, TimeInForce.FillOrKill));
        Assert.Equal(before, _h.Orders(Sell));

        // Cancel-oldest skips (and cancels) her order and fills from the others.
        Assert.Equal(
            [
                Ev.Accepted(5, Alice, Buy, 100, 6),
                Ev.Trade(5, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Cancelled(2, Alice, Sell, 100, 2, CancelReason.SelfTrade),
                Ev.Trade(5, Alice, Buy, 3, Carol, 100, 3, 2),
            ],
            _h.Limit(5, Alice, Buy, 100, 6, TimeInForce.FillOrKill, stp: SelfTradePrevention.CancelOldest));
    }

    [Fact]
    public void Post_only_at_the_touch_is_rejected_and_one_tick_away_rests()
    {
        _h.Limit(1, Bob, Sell, 100, 3);
        _h.Limit(2, Bob, Buy, 98, 3);

        Assert.Equal([Ev.Rejected(3, Alice, Buy, RejectReason.PostOnlyWouldTake)], _h.Limit(3, Alice, Buy, 100, 1, postOnly: true));
        Assert.Equal([Ev.Rejected(4, Alice, Sell, RejectReason.PostOnlyWouldTake)], _h.Limit(4, Alice, Sell, 98, 1, postOnly: true));
        Assert.Equal([Ev.Accepted(5, Alice, Buy, 99, 1), Ev.Rested(5, Alice, Buy, 99, 1)], _h.Limit(5, Alice, Buy, 99, 1, postOnly: true));
        Assert.Equal([Ev.Accepted(6, Alice, Sell, 100, 1), Ev.Rested(6, Alice, Sell, 100, 1)], _h.Limit(6, Alice, Sell, 100, 1, postOnly: true));
        Assert.Equal([new RestingOrder(1, Bob, Sell, 100, 3), new RestingOrder(6, Alice, Sell, 100, 1)], _h.Orders(Sell));
    }

    [Fact]
    public void Self_trade_cancel_newest_keeps_fills_made_before_the_own_order_and_cancels_the_rest()
    {
        SelfTradeBook();

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Buy, 100, 10),
                Ev.Trade(4, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Cancelled(4, Alice, Buy, 100, 7, CancelReason.SelfTrade),
            ],
            _h.Limit(4, Alice, Buy, 100, 10));
        Assert.Equal([new RestingOrder(2, Alice, Sell, 100, 5), new RestingOrder(3, Carol, Sell, 100, 5)], _h.Orders(Sell));
        Assert.Empty(_h.Orders(Buy));
    }

    [Fact]
    public void Self_trade_cancel_oldest_cancels_the_own_resting_order_and_goes_on()
    {
        SelfTradeBook();

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Buy, 100, 10),
                Ev.Trade(4, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Cancelled(2, Alice, Sell, 100, 5, CancelReason.SelfTrade),
                Ev.Trade(4, Alice, Buy, 3, Carol, 100, 5, 0),
                Ev.Rested(4, Alice, Buy, 100, 2),
            ],
            _h.Limit(4, Alice, Buy, 100, 10, stp: SelfTradePrevention.CancelOldest));
    }

    [Fact]
    public void Self_trade_cancel_both_cancels_the_resting_order_and_the_remainder()
    {
        SelfTradeBook();

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Buy, 100, 10),
                Ev.Trade(4, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Cancelled(2, Alice, Sell, 100, 5, CancelReason.SelfTrade),
                Ev.Cancelled(4, Alice, Buy, 100, 7, CancelReason.SelfTrade),
            ],
            _h.Limit(4, Alice, Buy, 100, 10, stp: SelfTradePrevention.CancelBoth));
        Assert.Equal([new RestingOrder(3, Carol, Sell, 100, 5)], _h.Orders(Sell));
    }

    [Fact]
    public void Market_buy_by_quote_buys_whole_lots_and_returns_what_cannot_buy_one()
    {
        _h.Limit(1, Bob, Sell, 100, 3);
        _h.Limit(2, Carol, Sell, 150, 10);

        // 3 lots × 100 = 300; the other 400 buy 2 lots at 150 (300), and 100 cannot buy a third.
        Assert.Equal(
            [
                Ev.Accepted(3, Alice, Buy, 0, 0, quote: 700),
                Ev.Trade(3, Alice, Buy, 1, Bob, 100, 3, 0),
                Ev.Trade(3, Alice, Buy, 2, Carol, 150, 2, 8),
                Ev.Cancelled(3, Alice, Buy, 0, 0, CancelReason.QuoteBelowOneLot, quote: 100),
            ],
            _h.Place(PlaceOrder.MarketBuyWithQuote(3, Alice, 700)));

        // An exactly spendable budget ends with its last trade.
        Assert.Equal(
            [Ev.Accepted(4, Alice, Buy, 0, 0, quote: 600), Ev.Trade(4, Alice, Buy, 2, Carol, 150, 4, 4)],
            _h.Place(PlaceOrder.MarketBuyWithQuote(4, Alice, 600)));
    }

    [Fact]
    public void Market_buy_by_quote_that_empties_the_book_cancels_the_unspent_budget()
    {
        _h.Limit(1, Bob, Sell, 100, 2);

        Assert.Equal(
            [
                Ev.Accepted(2, Alice, Buy, 0, 0, quote: 1_000),
                Ev.Trade(2, Alice, Buy, 1, Bob, 100, 2, 0),
                Ev.Cancelled(2, Alice, Buy, 0, 0, CancelReason.MarketNoLiquidity, quote: 800),
            ],
            _h.Place(PlaceOrder.MarketBuyWithQuote(2, Alice, 1_000)));
    }

    [Fact]
    public void Market_order_by_size_sweeps_and_cancels_what_the_book_cannot_give()
    {
        _h.Limit(1, Bob, Sell, 100, 2);
        _h.Limit(2, Carol, Sell, 105, 3);

        Assert.Equal(
            [
                Ev.Accepted(3, Alice, Buy, 0, 4),
                Ev.Trade(3, Alice, Buy, 1, Bob, 100, 2, 0),
                Ev.Trade(3, Alice, Buy, 2, Carol, 105, 2, 1),
            ],
            _h.Place(PlaceOrder.Market(3, Alice, Buy, 4)));

        Assert.Equal(
            [
                Ev.Accepted(4, Alice, Buy, 0, 10),
                Ev.Trade(4, Alice, Buy, 2, Carol, 105, 1, 0),
                Ev.Cancelled(4, Alice, Buy, 0, 9, CancelReason.MarketNoLiquidity),
            ],
            _h.Place(PlaceOrder.Market(4, Alice, Buy, 10)));

        Assert.Equal(
            [Ev.Accepted(5, Alice, Sell, 0, 5), Ev.Cancelled(5, Alice, Sell, 0, 5, CancelReason.MarketNoLiquidity)],
            _h.Place(PlaceOrder.Market(5, Alice, Sell, 5)));
    }

    [Fact]
    public void Cancel_removes_the_rest_of_an_own_order()
    {
        _h.Limit(1, Bob, Sell, 100, 5);
        _h.Limit(2, Alice, Buy, 100, 2);

        Assert.Equal([Ev.Cancelled(1, Bob, Sell, 100, 3, CancelReason.User)], _h.Cancel(1, Bob));
        Assert.Equal(0, _h.Engine.OrderCount);
        Assert.Equal([Ev.Rejected(1, Bob, Buy, RejectReason.UnknownOrder)], _h.Cancel(1, Bob));
    }

    [Fact]
    public void Cancel_of_a_filled_or_unknown_order_is_rejected()
    {
        _h.Limit(1, Bob, Sell, 100, 5);
        _h.Limit(2, Alice, Buy, 100, 5);

        Assert.Equal([Ev.Rejected(1, Bob, Buy, RejectReason.UnknownOrder)], _h.Cancel(1, Bob));
        Assert.Equal([Ev.Rejected(2, Alice, Buy, RejectReason.UnknownOrder)], _h.Cancel(2, Alice));
        Assert.Equal([Ev.Rejected(99, Alice, Buy, RejectReason.UnknownOrder)], _h.Cancel(99, Alice));
    }

    [Fact]
    public void Cancel_of_someone_elses_order_is_rejected_and_the_order_stays()
    {
        _h.Limit(1, Bob, Sell, 100, 5);

        Assert.Equal([Ev.Rejected(1, Alice, Buy, RejectReason.NotOwner)], _h.Cancel(1, Alice));
        Assert.Equal([new RestingOrder(1, Bob, Sell, 100, 5)], _h.Orders(Sell));
    }

    [Fact]
    public void Cancel_all_cancels_every_order_of_one_owner_in_the_order_they_rested()
    {
        _h.Limit(1, Alice, Buy, 99, 1);
        _h.Limit(2, Bob, Buy, 98, 2);
        _h.Limit(3, Alice, Sell, 105, 3);
        _h.Limit(4, Alice, Buy, 99, 4);

        Assert.Equal(
            [
                Ev.Cancelled(1, Alice, Buy, 99, 1, CancelReason.User),
                Ev.Cancelled(3, Alice, Sell, 105, 3, CancelReason.User),
                Ev.Cancelled(4, Alice, Buy, 99, 4, CancelReason.User),
            ],
            _h.CancelAll(Alice));
        Assert.Equal([new RestingOrder(2, Bob, Buy, 98, 2)], _h.Orders(Buy));
        Assert.Empty(_h.CancelAll(Alice));
        Assert.Empty(_h.CancelAll(Carol));
    }

    [Fact]
    public void Invalid_commands_are_rejected_without_touching_the_book()
    {
        var spec = EngineHarness.Spec;
        _h.Limit(1, Bob, Sell, 100, 5);
        var limit = PlaceOrder.Limit(10, Alice, Buy, 99, 1);
        (PlaceOrder Order, RejectReason Reason)[] cases =
        [
            (limit with { OrderId = 0 }, RejectReason.InvalidOrderId),
            (limit with { OrderId = -3 }, RejectReason.InvalidOrderId),
            (limit with { Price = 0 }, RejectReason.InvalidPrice),
            (limit with { Price = -1 }, RejectReason.InvalidPrice),
            (limit with { Price = spec.MaxPriceTicks + 1 }, RejectReason.InvalidPrice),
            (limit with { Quantity = 0 }, RejectReason.InvalidQuantity),
            (limit with { Quantity = -1 }, RejectReason.InvalidQuantity),
            (limit with { Quantity = spec.MaxQuantityLots + 1 }, RejectReason.InvalidQuantity),
            (limit with { OrderId = 1 }, RejectReason.DuplicateOrderId),
            (limit with { OrderId = 1, Price = 100 }, RejectReason.DuplicateOrderId),
            (limit with { OrderId = 1, TimeInForce = TimeInForce.ImmediateOrCancel }, RejectReason.DuplicateOrderId),
            (limit with { Side = (Side)2 }, RejectReason.InvalidOrderType),
            (limit with { TimeInForce = (TimeInForce)9 }, RejectReason.InvalidOrderType),
            (limit with { SelfTradePrevention = (SelfTradePrevention)3 }, RejectReason.InvalidOrderType),
            (limit with { PostOnly = true, TimeInForce = TimeInForce.FillOrKill }, RejectReason.InvalidOrderType),
            (limit with { QuoteBudget = 100 }, RejectReason.InvalidOrderType),
            (PlaceOrder.Market(10, Alice, Buy, 1) with { TimeInForce = TimeInForce.GoodTillCancel }, RejectReason.InvalidOrderType),
            (PlaceOrder.Market(10, Alice, Buy, 1) with { Price = 100 }, RejectReason.InvalidPrice),
            (PlaceOrder.Market(10, Alice, Buy, 0), RejectReason.InvalidQuantity),
            (PlaceOrder.MarketBuyWithQuote(10, Alice, 500) with { Side = Sell }, RejectReason.InvalidOrderType),
            (PlaceOrder.MarketBuyWithQuote(10, Alice, 500) with { TimeInForce = TimeInForce.FillOrKill }, RejectReason.InvalidOrderType),
            (PlaceOrder.MarketBuyWithQuote(10, Alice, 500) with { Quantity = 1 }, RejectReason.InvalidQuantity),
            (PlaceOrder.MarketBuyWithQuote(10, Alice, -500), RejectReason.InvalidQuantity),
        ];

        foreach (var (order, reason) in cases)
        {
            Assert.Equal([Ev.Rejected(order.OrderId, order.Owner, order.Side, reason)], _h.Place(order));
        }

        Assert.Equal([new RestingOrder(1, Bob, Sell, 100, 5)], _h.Orders(Sell));
        Assert.Empty(_h.Orders(Buy));
    }

    [Fact]
    public void Snapshot_aggregates_levels_best_first_up_to_the_depth()
    {
        _h.Limit(1, Bob, Buy, 98, 1);
        _h.Limit(2, Carol, Buy, 99, 2);
        _h.Limit(3, Bob, Buy, 99, 3);
        _h.Limit(4, Bob, Buy, 97, 4);
        _h.Limit(5, Carol, Sell, 103, 5);
        _h.Limit(6, Carol, Sell, 101, 6);

        var snapshot = _h.Engine.GetSnapshot(2);
        Assert.Equal([new PriceLevel(99, 5, 2), new PriceLevel(98, 1, 1)], snapshot.Bids);
        Assert.Equal([new PriceLevel(101, 6, 1), new PriceLevel(103, 5, 1)], snapshot.Asks);

        Span<PriceLevel> depth = stackalloc PriceLevel[10];
        Assert.Equal(3, _h.Engine.GetDepth(Buy, depth));
        Assert.Equal(new PriceLevel(97, 4, 1), depth[2]);
        Assert.Empty(_h.Engine.GetSnapshot(0).Bids);
    }

    [Fact]
    public void Levels_far_from_the_touch_are_kept_in_order()
    {
        // Beyond the linear probe at the top: levels inserted and removed deep in the array.
        for (var i = 0; i < 40; i++)
        {
            _h.Limit(i + 1, Bob, Buy, 1_000 - (i * 7 % 40), 1);
        }

        _h.Cancel(30, Bob);
        _h.Cancel(3, Bob);
        _h.Limit(100, Carol, Buy, 961, 1);

        var prices = _h.Orders(Buy).Select(o => o.Price).ToArray();
        Assert.Equal(prices.OrderDescending(), prices);
        Assert.Equal(39, prices.Length);
    }

    private void SelfTradeBook()
    {
        _h.Limit(1, Bob, Sell, 100, 3);
        _h.Limit(2, Alice, Sell, 100, 5);
        _h.Limit(3, Carol, Sell, 100, 5);
    }
}
