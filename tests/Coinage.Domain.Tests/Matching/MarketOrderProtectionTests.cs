using Coinage.Domain.Matching;
using static Coinage.Domain.Matching.Side;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// Market-order protection: under a price band a market order trades only within the band around the reference
/// price when it starts matching (the last trade, else the mid of a tight book) and the rest is cancelled
/// <see cref="CancelReason.PriceBand"/>. The harness checks the invariants after every command.
/// </summary>
public sealed class MarketOrderProtectionTests
{
    private const long Alice = 1, Bob = 2, Carol = 3;

    private readonly EngineHarness _h = new();

    /// <summary>Bob's bids at 99, 95 and (a stale one far below) 40, and a trade at 100 as the reference.</summary>
    private void ThinBookWithLastTradeAt100(int bandBps)
    {
        _h.Engine.PriceBandBps = bandBps;
        _h.Limit(1, Bob, Buy, 100, 1);
        _h.Limit(2, Carol, Sell, 100, 1);
        Assert.Equal(100, _h.Engine.LastTradePrice);
        _h.Limit(3, Bob, Buy, 99, 2);
        _h.Limit(4, Bob, Buy, 95, 2);
        _h.Limit(5, Bob, Buy, 40, 50);
    }

    [Fact]
    public void A_market_sell_fills_inside_the_band_and_the_rest_is_cancelled_price_band()
    {
        ThinBookWithLastTradeAt100(bandBps: 1_000);

        Assert.Equal(
            [
                Ev.Accepted(6, Alice, Sell, 0, 10),
                Ev.Trade(6, Alice, Sell, 3, Bob, 99, 2, 0),
                Ev.Trade(6, Alice, Sell, 4, Bob, 95, 2, 0),
                Ev.Cancelled(6, Alice, Sell, 0, 6, CancelReason.PriceBand),
            ],
            _h.Place(PlaceOrder.Market(6, Alice, Sell, 10)));
        Assert.Equal([new RestingOrder(5, Bob, Buy, 40, 50)], _h.Orders(Buy));
    }

    [Fact]
    public void The_band_is_fixed_when_the_order_starts_matching_not_walked_by_its_own_trades()
    {
        // 10 % of 100: down to 90. After trading at 91 a band around 91 would reach 81.9; it must not.
        _h.Engine.PriceBandBps = 1_000;
        _h.Limit(1, Bob, Buy, 100, 1);
        _h.Limit(2, Carol, Sell, 100, 1);
        _h.Limit(3, Bob, Buy, 91, 1);
        _h.Limit(4, Bob, Buy, 90, 1);
        _h.Limit(5, Bob, Buy, 89, 1);

        var events = _h.Place(PlaceOrder.Market(6, Alice, Sell, 5));

        Assert.Equal([91L, 90L], events.Where(e => e.Kind == MatchEventKind.Trade).Select(e => e.Price));
        Assert.Equal(Ev.Cancelled(6, Alice, Sell, 0, 3, CancelReason.PriceBand), events[^1]);
    }

    [Fact]
    public void A_market_buy_stops_at_the_upper_edge_rounded_down_to_the_tick()
    {
        // 2.5 % of 101 is 2.525: the edge is 103.525, so 103 trades and 104 does not.
        _h.Engine.PriceBandBps = 250;
        _h.Limit(1, Bob, Sell, 101, 1);
        _h.Limit(2, Carol, Buy, 101, 1);
        _h.Limit(3, Bob, Sell, 103, 1);
        _h.Limit(4, Bob, Sell, 104, 1);

        Assert.Equal(
            [
                Ev.Accepted(5, Alice, Buy, 0, 3),
                Ev.Trade(5, Alice, Buy, 3, Bob, 103, 1, 0),
                Ev.Cancelled(5, Alice, Buy, 0, 2, CancelReason.PriceBand),
            ],
            _h.Place(PlaceOrder.Market(5, Alice, Buy, 3)));
    }

    [Fact]
    public void A_quote_budget_buy_keeps_its_unspent_budget_at_the_edge()
    {
        _h.Engine.PriceBandBps = 500;
        _h.Limit(1, Bob, Sell, 100, 1);
        _h.Limit(2, Carol, Buy, 100, 1);
        _h.Limit(3, Bob, Sell, 105, 1);
        _h.Limit(4, Bob, Sell, 106, 5);

        Assert.Equal(
            [
                Ev.Accepted(5, Alice, Buy, 0, 0, quote: 1_000),
                Ev.Trade(5, Alice, Buy, 3, Bob, 105, 1, 0),
                Ev.Cancelled(5, Alice, Buy, 0, 0, CancelReason.PriceBand, quote: 895),
            ],
            _h.Place(PlaceOrder.MarketBuyWithQuote(5, Alice, 1_000)));
    }

    [Fact]
    public void A_fill_or_kill_market_order_that_can_fill_only_beyond_the_band_does_nothing()
    {
        ThinBookWithLastTradeAt100(bandBps: 1_000);

        Assert.Equal(
            [Ev.Accepted(6, Alice, Sell, 0, 5), Ev.Cancelled(6, Alice, Sell, 0, 5, CancelReason.FillOrKillNotFillable)],
            _h.Place(PlaceOrder.Market(6, Alice, Sell, 5, TimeInForce.FillOrKill)));
        Assert.Equal(3, _h.Engine.OrderCount);
    }

    [Fact]
    public void An_empty_side_is_still_no_liquidity()
    {
        _h.Engine.PriceBandBps = 1_000;
        _h.Limit(1, Bob, Buy, 100, 1);
        _h.Limit(2, Carol, Sell, 100, 1);

        Assert.Equal(
            [Ev.Accepted(3, Alice, Sell, 0, 5), Ev.Cancelled(3, Alice, Sell, 0, 5, CancelReason.MarketNoLiquidity)],
            _h.Place(PlaceOrder.Market(3, Alice, Sell, 5)));
    }

    [Fact]
    public void Before_the_first_trade_the_mid_of_a_tight_book_is_the_reference_and_a_wide_book_has_no_band()
    {
        _h.Engine.PriceBandBps = 1_000;
        _h.Limit(1, Bob, Buy, 99, 1);
        _h.Limit(2, Bob, Buy, 80, 1);
        _h.Limit(3, Carol, Sell, 101, 1);

        // Mid 100, band 90..110: 99 trades, 80 is beyond.
        var events = _h.Place(PlaceOrder.Market(4, Alice, Sell, 2));
        Assert.Equal([99L], events.Where(e => e.Kind == MatchEventKind.Trade).Select(e => e.Price));
        Assert.Equal(CancelReason.PriceBand, events[^1].CancelReason);

        // A trade now exists (99); without it, a book 80 / 101 is wider than the band and nothing would bound the
        // order. Shown on a fresh engine: the market sell sweeps the whole bid side.
        var wide = new EngineHarness();
        wide.Engine.PriceBandBps = 1_000;
        wide.Limit(1, Bob, Buy, 80, 1);
        wide.Limit(2, Bob, Buy, 50, 1);
        wide.Limit(3, Carol, Sell, 101, 1);
        Assert.Equal([80L, 50L], wide.Place(PlaceOrder.Market(4, Alice, Sell, 2)).Where(e => e.Kind == MatchEventKind.Trade).Select(e => e.Price));
    }

    [Fact]
    public void A_triggered_stop_market_is_bounded_by_the_band_around_the_price_that_fired_it()
    {
        _h.Engine.PriceBandBps = 500;
        _h.Limit(1, Bob, Buy, 100, 1);
        _h.Limit(2, Carol, Sell, 100, 1);
        var stop = PlaceOrder.Market(3, Alice, Sell, 10).WithStop(98);
        _h.Place(stop);
        _h.Limit(4, Bob, Buy, 98, 1);
        _h.Limit(5, Bob, Buy, 94, 3);
        _h.Limit(6, Bob, Buy, 92, 3);

        // Carol's sell trades at 98 and fires the stop: its band is 93.1..102.9 around 98, so 94 trades, 92 does not.
        Assert.Equal(
            [
                Ev.Accepted(7, Carol, Sell, 98, 1),
                Ev.Trade(7, Carol, Sell, 4, Bob, 98, 1, 0),
                Ev.Triggered(stop),
                Ev.Trade(3, Alice, Sell, 5, Bob, 94, 3, 0),
                Ev.Cancelled(3, Alice, Sell, 0, 7, CancelReason.PriceBand),
            ],
            _h.Limit(7, Carol, Sell, 98, 1));
    }

    [Fact]
    public void Without_a_band_a_market_order_sweeps_the_book_as_before()
    {
        ThinBookWithLastTradeAt100(bandBps: 0);

        var events = _h.Place(PlaceOrder.Market(6, Alice, Sell, 10));

        Assert.Equal([99L, 95L, 40L], events.Where(e => e.Kind == MatchEventKind.Trade).Select(e => e.Price));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void A_band_outside_0_to_100_percent_is_refused(int bps) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _h.Engine.PriceBandBps = bps);
}
