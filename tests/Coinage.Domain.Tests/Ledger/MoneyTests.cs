using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("0.01", true)]
    [InlineData("1.50", true)]
    [InlineData("1.5000", true)] // trailing zeros are not decimals
    [InlineData("1000000000000000", true)]
    [InlineData("0.001", false)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    [InlineData("1000000000000000.01", false)]
    public void Usd_amounts_are_positive_bounded_and_in_cents(string text, bool valid)
    {
        var amount = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(valid, Asset.Usd.TryValidateAmount(amount, out var error));
        Assert.Equal(valid, error is null);
        if (valid)
        {
            Assert.Equal(amount, Asset.Usd.ValidateAmount(amount));
        }
        else
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Asset.Usd.ValidateAmount(amount));
        }
    }

    [Fact]
    public void Btc_keeps_eight_decimals()
    {
        Assert.Equal(0.00000001m, Asset.Btc.Unit);
        Assert.True(Asset.Btc.TryValidateAmount(0.00000001m, out _));
        Assert.False(Asset.Btc.TryValidateAmount(0.000000001m, out _));
        Assert.Equal(8, Asset.Eth.Precision);
        Assert.Equal(2, Asset.Usd.Precision);
    }

    [Theory]
    [InlineData("0.001", "0.01")]
    [InlineData("0.00000001", "0.01")]
    [InlineData("0.01", "0.01")]
    [InlineData("0.011", "0.02")]
    [InlineData("12.3450", "12.35")]
    [InlineData("12.341", "12.35")]
    [InlineData("0", "0")]
    public void Fees_round_up_to_the_quote_precision(string exact, string rounded)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal(decimal.Parse(rounded, inv), Asset.Usd.RoundUp(decimal.Parse(exact, inv)));
    }

    [Theory]
    [InlineData("", 2)]
    [InlineData("usd", 2)]
    [InlineData("USD", -1)]
    [InlineData("USD", 19)]
    public void Invalid_assets_are_refused(string code, int precision) =>
        Assert.ThrowsAny<ArgumentException>(() => new Asset(code, precision));

    [Fact]
    public void Market_conversions_are_exact()
    {
        var market = Markets.BtcUsd();
        Assert.Equal(1.5m, market.BaseQuantity(150));
        Assert.Equal(97_500.00m, market.QuoteNotional(65_000, 150));
        Assert.Equal(0.01m, market.QuoteNotional(1, 1));
        Assert.Equal(2_000.00m, market.QuoteAmount(200_000));

        // At the grid's limits the Int128 notional still converts exactly.
        var max = market.Spec.MaxPriceTicks;
        Assert.Equal(max * 0.01m * max, market.QuoteNotional(max, max));

        var ethBtc = Markets.EthBtc();
        Assert.Equal(0.00000001m, ethBtc.QuoteNotional(1, 1));
        Assert.Equal(0.05123m * 2.5m, ethBtc.QuoteNotional(5_123, 2_500));
        Assert.Equal(2.5m, ethBtc.BaseQuantity(2_500));
    }

    [Fact]
    public void A_grid_finer_than_the_assets_is_refused()
    {
        // A lot of 1 satoshi / 10 is finer than BTC keeps.
        Assert.Throws<ArgumentException>(() =>
            new SpotMarket(new MarketSpec("BTC-USD", 1m, 0.000000001m), Asset.Btc, Asset.Usd, 0, 0));

        // Tick 0.01 × lot 0.0001 = 0.000001 USD: notionals would need rounding.
        Assert.Throws<ArgumentException>(() =>
            new SpotMarket(new MarketSpec("BTC-USD", 0.01m, 0.0001m), Asset.Btc, Asset.Usd, 0, 0));

        Assert.Throws<ArgumentException>(() =>
            new SpotMarket(new MarketSpec("USD-USD", 1m, 1m), Asset.Usd, Asset.Usd, 0, 0));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("10000.01")]
    [InlineData("0.00001")]
    public void Fee_rates_are_validated(string bps)
    {
        var rate = decimal.Parse(bps, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpotMarket(Markets.BtcUsdSpec, Asset.Btc, Asset.Usd, rate, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpotMarket(Markets.BtcUsdSpec, Asset.Btc, Asset.Usd, 0, rate));
    }

    [Fact]
    public void Fee_is_bps_of_notional_rounded_up()
    {
        var market = new SpotMarket(Markets.BtcUsdSpec, Asset.Btc, Asset.Usd, makerFeeBps: 7.5m, takerFeeBps: 20);
        Assert.Equal(20, market.HoldFeeBps);
        Assert.Equal(0.666660m, SpotMarket.ExactFee(333.33m, 20));
        Assert.Equal(0.67m, market.Fee(333.33m, 20));
        Assert.Equal(0.25m, market.Fee(333.33m, 7.5m)); // 0.24999750 → 0.25
        Assert.Equal(0.01m, market.Fee(0.01m, 7.5m));
        Assert.Equal(0m, market.Fee(100m, 0));
    }
}

internal static class Markets
{
    /// <summary>Whole-dollar ticks and 0.01 BTC lots: one notional unit is one cent.</summary>
    public static readonly MarketSpec BtcUsdSpec = new("BTC-USD", tickSize: 1m, lotSize: 0.01m, maxPriceTicks: 10_000_000, maxQuantityLots: 10_000_000);

    public static SpotMarket BtcUsd(decimal makerBps = 10, decimal takerBps = 20) =>
        new(BtcUsdSpec, Asset.Btc, Asset.Usd, makerBps, takerBps);

    /// <summary>Quote in BTC: one notional unit is one satoshi.</summary>
    public static SpotMarket EthBtc(decimal makerBps = 2.5m, decimal takerBps = 7.5m) =>
        new(new MarketSpec("ETH-BTC", tickSize: 0.00001m, lotSize: 0.001m, maxPriceTicks: 1_000_000, maxQuantityLots: 1_000_000),
            Asset.Eth, Asset.Btc, makerBps, takerBps);
}
