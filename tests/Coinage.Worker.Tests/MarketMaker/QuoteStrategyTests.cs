using Coinage.Worker.MarketMaker;

namespace Coinage.Worker.Tests.MarketMaker;

public sealed class QuoteStrategyTests
{
    private static readonly MarketRules BtcUsd = new("BTC-USD", "BTC", "USD", 1m, 0.01m, 0.01m, 10m);
    private static readonly MarketRules EthBtc = new("ETH-BTC", "ETH", "BTC", 0.00001m, 0.001m, 0.001m, 0.0001m);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Quotes_are_on_the_grid_inside_the_band_and_never_cross_the_reference(int seed)
    {
        var options = new MarketMakerOptions();
        var strategy = new QuoteStrategy(options, new Random(seed));
        foreach (var (market, start) in new[] { (BtcUsd, 65000m), (EthBtc, 0.054m) })
        {
            var reference = start;
            for (var cycle = 0; cycle < 200; cycle++)
            {
                var next = strategy.Walk(market, reference);
                Assert.Equal(0m, next % market.TickSize);
                Assert.True(Math.Abs(next - reference) <= reference * options.MaxStepBps / 10_000m + market.TickSize, $"{reference} → {next}");
                reference = next;
                var plan = strategy.Plan(market, reference, []);
                Assert.Empty(plan.Cancel);
                Assert.Equal(options.Levels, plan.Place.Count(q => q.IsBuy));
                Assert.Equal(options.Levels, plan.Place.Count(q => !q.IsBuy));
                foreach (var quote in plan.Place)
                {
                    Assert.Equal(0m, quote.Price % market.TickSize);
                    Assert.Equal(0m, quote.Quantity % market.LotSize);
                    Assert.True(quote.Quantity >= market.MinQuantity && quote.Price * quote.Quantity >= market.MinNotional, $"{quote} is below the market's minimum");
                    Assert.True(quote.IsBuy ? quote.Price < reference : quote.Price > reference, $"{quote} crosses {reference}");
                    var distance = Math.Abs(quote.Price - reference) / reference * 10_000m;
                    Assert.InRange(distance, options.MinSpreadBps, options.MaxSpreadBps);
                }
            }
        }
    }

    [Fact]
    public void Quotes_outside_the_band_are_cancelled_inside_ones_kept_and_the_side_topped_up()
    {
        var options = new MarketMakerOptions { RefreshPercent = 0, Levels = 3 };
        var strategy = new QuoteStrategy(options, new Random(7));
        var at = DateTimeOffset.UnixEpoch;
        RestingQuote[] resting =
        [
            new("kept-bid", true, 64900m, at),        // 15 bps below: inside
            new("crossing-bid", true, 65010m, at),    // above the reference: would cross
            new("far-ask", false, 70000m, at),        // 769 bps above: outside
            new("kept-ask", false, 65100m, at),       // 15 bps above: inside
        ];

        var plan = strategy.Plan(BtcUsd, 65000m, resting);

        Assert.Equal(["crossing-bid", "far-ask"], plan.Cancel.Order());
        Assert.Equal(2, plan.Place.Count(q => q.IsBuy));
        Assert.Equal(2, plan.Place.Count(q => !q.IsBuy));
    }

    [Fact]
    public void A_cross_goes_one_tick_through_the_best_opposite_quote_at_the_smallest_accepted_size()
    {
        var strategy = new QuoteStrategy(new MarketMakerOptions(), new Random(1));
        var buy = strategy.Cross(BtcUsd, isBuy: true, bestOpposite: 65030m);
        Assert.Equal(new QuoteOrder(true, 65031m, 0.01m), buy);
        var sell = strategy.Cross(EthBtc, isBuy: false, bestOpposite: 0.05397m);
        Assert.Equal(0.05396m, sell.Price);
        // 0.001 ETH × 0.05396 = 0.000054 BTC is below the 0.0001 BTC minimum: 2 lots are the smallest accepted.
        Assert.Equal(0.002m, sell.Quantity);
    }
}
