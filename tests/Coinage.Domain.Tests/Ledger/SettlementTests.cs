using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

/// <summary>
/// Every settlement rule on hand-computed numbers. BTC-USD: $1 ticks, 0.01 BTC lots, maker 10 bps,
/// taker 20 bps (holds reserve 20 bps). Owners 1-4 start with $100,000 and 10 BTC each.
/// </summary>
public sealed class SettlementTests
{
    private const decimal StartUsd = 100_000m;
    private const decimal StartBtc = 10m;

    private static LedgerHarness Harness(SpotMarket? market = null)
    {
        var harness = new LedgerHarness(market ?? Markets.BtcUsd(makerBps: 10, takerBps: 20));
        for (var owner = 1; owner <= 4; owner++)
        {
            harness.Deposit(owner, harness.Market.Quote, StartUsd);
            harness.Deposit(owner, harness.Market.Base, StartBtc);
        }

        return harness;
    }

    [Fact]
    public void A_resting_order_keeps_its_whole_hold()
    {
        var h = Harness();
        var result = h.Place(PlaceOrder.Limit(1, 1, Side.Buy, 50_000, 10));
        Assert.Empty(result.Entries);
        Assert.Equal(OrderStatus.Open, h.Order(1).Status);
        Assert.Equal(5_010.00m, h.Ledger.Held(1, Asset.Usd));
        Assert.Equal(StartUsd - 5_010.00m, h.Ledger.Available(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_buy_filled_below_its_limit_releases_the_difference()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 49_000, 10));
        var result = h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 50_000, 10));

        var trade = Assert.Single(result.Trades);
        Assert.Equal(4_900.00m, trade.QuoteAmount);
        Assert.Equal(49_000m, trade.Price);
        Assert.Equal(0.1m, trade.Quantity);
        Assert.Equal(9.80m, trade.TakerFee);
        Assert.Equal(4.90m, trade.MakerFee);
        Assert.Equal(
            [
                new(AccountId.Held(1, Asset.Usd), -4_909.80m), new(AccountId.Available(1, Asset.Btc), 0.1m),
                new(AccountId.Held(2, Asset.Btc), -0.1m), new(AccountId.Available(2, Asset.Usd), 4_895.10m),
                new(AccountId.Fees(Asset.Usd), 14.70m),
            ], trade.Entry.Postings);

        // Held 5,010.00; spent 4,909.80: the rest (price improvement and its fee share) goes back.
        var release = Assert.Single(result.Entries, e => e.Kind == JournalEntryKind.HoldRelease);
        Assert.Equal(2, release.ReferenceId);
        Assert.Equal([new(AccountId.Held(1, Asset.Usd), -100.20m), new(AccountId.Available(1, Asset.Usd), 100.20m)], release.Postings);

        var buy = h.Order(2);
        Assert.Equal(OrderStatus.Filled, buy.Status);
        Assert.Equal(0m, buy.RemainingHold);
        Assert.Equal(49_000m, buy.AveragePrice(h.Market));
        Assert.Equal(0.1m, buy.FilledBase(h.Market));
        Assert.Equal(9.80m, buy.FeePaid);
        Assert.Equal(OrderStatus.Filled, h.Order(1).Status);
        Assert.Equal(StartUsd - 4_909.80m, h.Ledger.Available(1, Asset.Usd));
        Assert.Equal(StartBtc + 0.1m, h.Ledger.Available(1, Asset.Btc));
        Assert.Equal(StartUsd + 4_895.10m, h.Ledger.Available(2, Asset.Usd));
        Assert.Equal(0m, h.Ledger.Held(2, Asset.Btc));
        Assert.Equal(14.70m, h.Ledger.Fees(Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Partial_fills_across_levels_keep_exactly_what_the_rest_needs()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 49_000, 5));
        h.Place(PlaceOrder.Limit(2, 3, Side.Sell, 49_500, 5));
        h.Place(PlaceOrder.Limit(3, 3, Side.Sell, 50_500, 5));
        var result = h.Place(PlaceOrder.Limit(4, 1, Side.Buy, 50_000, 12));

        Assert.Equal([2_450.00m, 2_475.00m], result.Trades.Select(t => t.QuoteAmount));
        Assert.Equal([4.90m, 4.95m], result.Trades.Select(t => t.TakerFee));
        var buy = h.Order(4);
        Assert.Equal(OrderStatus.PartiallyFilled, buy.Status);
        Assert.Equal(10, buy.FilledQuantity);
        Assert.Equal(49_250m, buy.AveragePrice(h.Market));
        // Held 6,012.00, spent 4,934.85; the 2 lots left need 1,000.00 + 2.00 fee.
        Assert.Equal(1_002.00m, buy.RemainingHold);
        Assert.Equal(buy.RequiredHold(h.Market), buy.RemainingHold);
        Assert.Equal(75.15m, Assert.Single(result.Entries, e => e.Kind == JournalEntryKind.HoldRelease).Postings[1].Amount);
        Assert.Equal(1_002.00m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();

        // The rest fills as maker, at the cheaper maker rate: 1,000.00 + 1.00, and 1.00 is released.
        var second = h.Place(PlaceOrder.Limit(5, 4, Side.Sell, 49_000, 2));
        var trade = Assert.Single(second.Trades);
        Assert.Equal(50_000m, trade.Price);
        Assert.Equal(1.00m, trade.MakerFee);
        Assert.Equal(2.00m, trade.TakerFee);
        buy = h.Order(4);
        Assert.Equal(OrderStatus.Filled, buy.Status);
        Assert.Equal(0m, buy.RemainingHold);
        Assert.Equal(10.85m, buy.FeePaid);
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Usd));
        Assert.Equal(StartUsd - 2_450.00m - 2_475.00m - 1_000.00m - 10.85m, h.Ledger.Available(1, Asset.Usd));
        Assert.Equal(OrderStatus.Filled, h.Order(5).Status);
        Assert.Equal(OrderStatus.Filled, h.Order(1).Status);
        Assert.Equal(OrderStatus.Filled, h.Order(2).Status);
        Assert.Equal(OrderStatus.Open, h.Order(3).Status);
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_maker_buy_partly_filled_releases_the_fee_it_will_not_pay()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 1, Side.Buy, 50_000, 10)); // holds 5,000.00 + 10.00
        var result = h.Place(PlaceOrder.Limit(2, 2, Side.Sell, 50_000, 4));

        Assert.Equal(2.00m, Assert.Single(result.Trades).MakerFee);
        var buy = h.Order(1);
        Assert.Equal(OrderStatus.PartiallyFilled, buy.Status);
        // 6 lots left: 3,000.00 + fee up to 20 bps (6.00) on top of the 2.00 already paid.
        Assert.Equal(3_006.00m, buy.RemainingHold);
        Assert.Equal(2.00m, Assert.Single(result.Entries, e => e.Kind == JournalEntryKind.HoldRelease).Postings[1].Amount);
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Fees_round_up_once_per_order_not_once_per_fill()
    {
        // DOGE-USD: one-cent ticks, 1 DOGE lots. A 1-cent trade has an exact fee of a fraction of a cent.
        var doge = new Asset("DOGE", 8);
        var market = new SpotMarket(new MarketSpec("DOGE-USD", 0.01m, 1m), doge, Asset.Usd, makerFeeBps: 10, takerFeeBps: 20);
        var h = Harness(market);
        for (var id = 1; id <= 10; id++)
        {
            h.Place(PlaceOrder.Limit(id, 2, Side.Sell, 1, 1));
        }

        // A lone 1-cent trade: exact fees 0.00002 and 0.00001 both round up to a whole cent.
        var lone = h.Place(PlaceOrder.Limit(11, 1, Side.Buy, 1, 1, TimeInForce.ImmediateOrCancel));
        var first = Assert.Single(lone.Trades);
        Assert.Equal(0.01m, first.TakerFee);
        Assert.Equal(0.01m, first.MakerFee);
        // The seller's whole proceeds went to the fee: no zero posting for its Available USD.
        Assert.DoesNotContain(first.Entry.Postings, p => p.Account == AccountId.Available(2, Asset.Usd));

        // Nine 1-cent fills of one order: the running exact fee is 0.00018, charged 0.01 once.
        var sweep = h.Place(PlaceOrder.Limit(12, 1, Side.Buy, 1, 9));
        Assert.Equal(9, sweep.Trades.Count);
        Assert.Equal([0.01m, 0, 0, 0, 0, 0, 0, 0, 0], sweep.Trades.Select(t => t.TakerFee));
        Assert.Equal(0.01m, h.Order(12).FeePaid);
        Assert.Equal(0.00018m, h.Order(12).FeeExact);
        Assert.Equal(OrderStatus.Filled, h.Order(12).Status);
        // Hold 0.09 + RoundUp(0.00018) = 0.10; all of it was spent.
        Assert.Equal(0.10m, h.Order(12).OriginalHold);
        Assert.DoesNotContain(sweep.Entries, e => e.Kind == JournalEntryKind.HoldRelease);
        Assert.Equal(0.01m + 0.01m + 0.01m + 9 * 0.01m, h.Ledger.Fees(Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_market_buy_by_quote_releases_the_unspent_budget()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 49_000, 3));
        var result = h.Place(PlaceOrder.MarketBuyWithQuote(2, 1, quoteBudget: 200_000)); // $2,000.00 + 4.00 held

        Assert.Equal(1_470.00m, Assert.Single(result.Trades).QuoteAmount);
        var buy = h.Order(2);
        Assert.Equal(OrderStatus.Cancelled, buy.Status); // the book ran dry
        Assert.Equal(3, buy.FilledQuantity);
        Assert.Equal(0m, buy.RemainingHold);
        Assert.Equal(2_004.00m - 1_470.00m - 2.94m, Assert.Single(result.Entries, e => e.Kind == JournalEntryKind.HoldRelease).Postings[1].Amount);
        Assert.Equal(StartUsd - 1_472.94m, h.Ledger.Available(1, Asset.Usd));
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Every_cancelled_or_rejected_order_records_why_it_ended()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 49_000, 5));
        h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 48_000, 5));

        h.Place(PlaceOrder.Limit(3, 3, Side.Buy, 49_000, 8, TimeInForce.ImmediateOrCancel)); // 5 lots trade, 3 are cancelled
        h.Place(PlaceOrder.Limit(4, 3, Side.Buy, 48_500, 1, TimeInForce.FillOrKill)); // no ask at or below 48,500
        h.Place(PlaceOrder.Limit(5, 1, Side.Sell, 48_000, 1)); // the owner's own bid is best: self-trade prevention
        h.Place(PlaceOrder.Market(6, 4, Side.Sell, 10)); // takes the 5 bid lots; nothing is left for the other 5
        h.Place(PlaceOrder.Limit(7, 2, Side.Sell, 50_000, 1));
        h.Place(PlaceOrder.MarketBuyWithQuote(8, 3, quoteBudget: 40_000)); // $400.00 < one lot at $50,000 ($500.00)
        h.Place(PlaceOrder.Limit(9, 3, Side.Buy, 50_000, 1, postOnly: true)); // would take the ask
        h.Place(PlaceOrder.Limit(10, 3, Side.Buy, 1_000, 1));
        h.Cancel(10, 3);

        Assert.Equal(OrderStatus.Filled, h.Order(1).Status);
        Assert.Equal(OrderCloseReason.None, h.Order(1).CloseReason);
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.ImmediateOrCancel), (h.Order(3).Status, h.Order(3).CloseReason));
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.FillOrKill), (h.Order(4).Status, h.Order(4).CloseReason));
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.SelfTrade), (h.Order(5).Status, h.Order(5).CloseReason));
        Assert.Equal(5, h.Order(6).FilledQuantity);
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.NoLiquidity), (h.Order(6).Status, h.Order(6).CloseReason));
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.BelowOneLot, 0L), (h.Order(8).Status, h.Order(8).CloseReason, h.Order(8).FilledQuantity));
        Assert.Equal((OrderStatus.Rejected, OrderCloseReason.PostOnlyWouldTake), (h.Order(9).Status, h.Order(9).CloseReason));
        Assert.Equal((OrderStatus.Cancelled, OrderCloseReason.User), (h.Order(10).Status, h.Order(10).CloseReason));
        Assert.Equal(OrderCloseReason.None, h.Order(7).CloseReason); // still on the book
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_market_buy_that_cannot_afford_another_lot_is_filled_and_released()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 49_000, 5));
        var result = h.Place(PlaceOrder.MarketBuyWithQuote(2, 1, quoteBudget: 100_000)); // $1,000.00 buys 2 lots

        Assert.Equal(CancelReason.QuoteBelowOneLot, h.LastEvents[^1].CancelReason);
        var buy = h.Order(2);
        Assert.Equal(OrderStatus.Filled, buy.Status);
        Assert.Equal(2, buy.FilledQuantity);
        Assert.Equal(1_002.00m - 980.00m - 1.96m, Assert.Single(result.Entries, e => e.Kind == JournalEntryKind.HoldRelease).Postings[1].Amount);
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_market_buy_that_spends_its_budget_exactly_has_nothing_left_to_release()
    {
        var h = Harness(Markets.BtcUsd(makerBps: 0, takerBps: 0));
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 49_000, 5));
        var result = h.Place(PlaceOrder.MarketBuyWithQuote(2, 1, quoteBudget: 98_000));
        Assert.Equal(OrderStatus.Filled, h.Order(2).Status);
        Assert.DoesNotContain(result.Entries, e => e.Kind == JournalEntryKind.HoldRelease);
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_market_sell_without_liquidity_releases_its_base()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 1, Side.Buy, 48_000, 2));
        h.Place(PlaceOrder.Market(2, 2, Side.Sell, 5));
        var sell = h.Order(2);
        Assert.Equal(OrderStatus.Cancelled, sell.Status);
        Assert.Equal(2, sell.FilledQuantity);
        Assert.Equal(0m, h.Ledger.Held(2, Asset.Btc));
        Assert.Equal(StartBtc - 0.02m, h.Ledger.Available(2, Asset.Btc));
        Assert.Equal(StartUsd + 960.00m - 1.92m, h.Ledger.Available(2, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Theory]
    [InlineData(SelfTradePrevention.CancelNewest, OrderStatus.Cancelled, OrderStatus.Open)]
    [InlineData(SelfTradePrevention.CancelOldest, OrderStatus.Open, OrderStatus.Cancelled)]
    [InlineData(SelfTradePrevention.CancelBoth, OrderStatus.Cancelled, OrderStatus.Cancelled)]
    public void Self_trade_prevention_releases_what_it_cancels(SelfTradePrevention mode, OrderStatus incoming, OrderStatus resting)
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 1, Side.Sell, 50_000, 5));
        var result = h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 50_000, 5, selfTradePrevention: mode));

        Assert.Empty(result.Trades);
        Assert.Equal(incoming, h.Order(2).Status);
        Assert.Equal(resting, h.Order(1).Status);
        Assert.Equal(incoming == OrderStatus.Cancelled ? 0m : 2_505.00m, h.Ledger.Held(1, Asset.Usd));
        Assert.Equal(resting == OrderStatus.Cancelled ? 0m : 0.05m, h.Ledger.Held(1, Asset.Btc));
        Assert.All(result.Orders.Where(o => o.IsDone), o => Assert.Equal(0m, o.RemainingHold));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Self_trade_after_a_fill_cancels_the_rest_and_releases_it()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 49_000, 3));
        h.Place(PlaceOrder.Limit(2, 1, Side.Sell, 49_500, 5));
        h.Place(PlaceOrder.Limit(3, 1, Side.Buy, 50_000, 6));
        var buy = h.Order(3);
        Assert.Equal(OrderStatus.Cancelled, buy.Status);
        Assert.Equal(3, buy.FilledQuantity);
        Assert.Equal(0m, buy.RemainingHold);
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void An_immediate_or_cancel_remainder_is_released()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 3));
        h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 50_000, 10, TimeInForce.ImmediateOrCancel));
        var buy = h.Order(2);
        Assert.Equal(OrderStatus.Cancelled, buy.Status);
        Assert.Equal(3, buy.FilledQuantity);
        Assert.Equal(StartUsd - 1_500.00m - 3.00m, h.Ledger.Available(1, Asset.Usd));
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_killed_fill_or_kill_releases_everything()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Buy, 50_000, 3));
        var result = h.Place(PlaceOrder.Limit(2, 1, Side.Sell, 50_000, 10, TimeInForce.FillOrKill));
        Assert.Empty(result.Trades);
        Assert.Equal(OrderStatus.Cancelled, h.Order(2).Status);
        Assert.Equal([new(AccountId.Held(1, Asset.Btc), -0.10m), new(AccountId.Available(1, Asset.Btc), 0.10m)], Assert.Single(result.Entries).Postings);
        Assert.Equal(StartBtc, h.Ledger.Available(1, Asset.Btc));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_rejected_post_only_order_releases_everything()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 3));
        var result = h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 50_000, 1, postOnly: true));
        Assert.Equal(OrderStatus.Rejected, h.Order(2).Status);
        Assert.Equal(JournalEntryKind.HoldRelease, Assert.Single(result.Entries).Kind);
        Assert.Equal(StartUsd, h.Ledger.Available(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_user_cancel_releases_what_the_partly_filled_order_still_holds()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 1, Side.Sell, 50_000, 10));
        h.Place(PlaceOrder.Limit(2, 2, Side.Buy, 50_000, 4));
        Assert.Equal(0.06m, h.Ledger.Held(1, Asset.Btc));
        var result = h.Cancel(1, 1);
        Assert.Equal(OrderStatus.Cancelled, h.Order(1).Status);
        Assert.Equal(4, h.Order(1).FilledQuantity);
        Assert.Equal(0.06m, Assert.Single(result.Entries).Postings[1].Amount);
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Btc));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Cancel_all_releases_every_order()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 1, Side.Sell, 51_000, 10));
        h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 49_000, 10));
        var result = h.CancelAll(1);
        Assert.Equal(2, result.Entries.Count);
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Btc));
        Assert.Equal(0m, h.Ledger.Held(1, Asset.Usd));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Rejected_cancels_change_nothing_and_are_reported()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 1, Side.Sell, 51_000, 10));
        var foreign = h.Cancel(1, 2);
        var unknown = h.Cancel(99, 2);
        Assert.Empty(foreign.Entries);
        Assert.Equal(RejectReason.NotOwner, Assert.Single(foreign.IgnoredRejections).RejectReason);
        Assert.Equal(RejectReason.UnknownOrder, Assert.Single(unknown.IgnoredRejections).RejectReason);
        Assert.Equal(OrderStatus.Open, h.Order(1).Status);
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void Settlement_in_another_quote_asset_is_exact_to_the_satoshi()
    {
        var h = Harness(Markets.EthBtc(makerBps: 2.5m, takerBps: 7.5m));
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 5_123, 2_500)); // 2.5 ETH at 0.05123 BTC
        var result = h.Place(PlaceOrder.Limit(2, 1, Side.Buy, 5_200, 2_500));
        var trade = Assert.Single(result.Trades);
        Assert.Equal(0.128075m, trade.QuoteAmount);
        Assert.Equal(0.00009606m, trade.TakerFee); // 0.00009605625 → up
        Assert.Equal(0.00003202m, trade.MakerFee); // 0.00003201875 → up
        Assert.Equal(StartUsd - 0.128075m - 0.00009606m, h.Ledger.Available(1, Asset.Btc));
        Assert.Equal(StartBtc + 2.5m, h.Ledger.Available(1, Asset.Eth));
        h.Ledger.AssertHealthy();
    }

    [Fact]
    public void A_hold_that_would_go_negative_throws()
    {
        var market = Markets.BtcUsd();
        var engine = new MatchingEngine(market.Spec);
        var events = new MatchEventBuffer();
        var sell = OrderLedgerState.Pending(market, PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 5));
        var buy = OrderLedgerState.Pending(market, PlaceOrder.Limit(2, 1, Side.Buy, 50_000, 5));
        engine.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 5), events);
        var calculator = new SettlementCalculator(market);
        calculator.Settle(events.Events, new Dictionary<long, OrderLedgerState> { [1] = sell });
        events.Clear();
        engine.Place(PlaceOrder.Limit(2, 1, Side.Buy, 50_000, 5), events);

        // A corrupt row: the buy holds less than its notional.
        var orders = new Dictionary<long, OrderLedgerState>
        {
            [1] = sell with { Status = OrderStatus.Open },
            [2] = buy with { RemainingHold = 2_000m },
        };
        var ex = Assert.Throws<InvalidOperationException>(() => calculator.Settle(events.Events, orders));
        Assert.Contains("negative", ex.Message, StringComparison.Ordinal);

        // A hold below what a resting order needs is caught as well.
        var resting = OrderLedgerState.Pending(market, PlaceOrder.Limit(3, 1, Side.Buy, 40_000, 5));
        events.Clear();
        engine.Place(PlaceOrder.Limit(3, 1, Side.Buy, 40_000, 5), events);
        Assert.Throws<InvalidOperationException>(() =>
            calculator.Settle(events.Events, new Dictionary<long, OrderLedgerState> { [3] = resting with { RemainingHold = 1m } }));
    }

    [Fact]
    public void Events_that_do_not_fit_the_stored_orders_throw()
    {
        var market = Markets.BtcUsd();
        var engine = new MatchingEngine(market.Spec);
        var events = new MatchEventBuffer();
        var calculator = new SettlementCalculator(market);
        engine.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 5), events);

        // Not loaded.
        Assert.Throws<InvalidOperationException>(() => calculator.Settle(events.Events, new Dictionary<long, OrderLedgerState>()));
        // Stored with other terms.
        var other = OrderLedgerState.Pending(market, PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 6));
        Assert.Throws<InvalidOperationException>(() => calculator.Settle(events.Events, new Dictionary<long, OrderLedgerState> { [1] = other }));
        // Already done.
        var done = OrderLedgerState.Pending(market, PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 5)) with { Status = OrderStatus.Cancelled };
        Assert.Throws<InvalidOperationException>(() => calculator.Settle(events.Events, new Dictionary<long, OrderLedgerState> { [1] = done }));
    }

    [Fact]
    public void Referenced_order_ids_name_takers_and_makers_but_not_foreign_cancels()
    {
        var h = Harness();
        h.Place(PlaceOrder.Limit(1, 2, Side.Sell, 50_000, 1));
        h.Place(PlaceOrder.Limit(2, 3, Side.Sell, 50_000, 1));
        h.Place(PlaceOrder.Limit(3, 1, Side.Buy, 50_000, 5));
        Assert.Equal([1L, 2L, 3L], SettlementCalculator.ReferencedOrderIds(h.LastEvents).Order());
        h.Cancel(42, 1);
        Assert.Empty(SettlementCalculator.ReferencedOrderIds(h.LastEvents));
    }
}
