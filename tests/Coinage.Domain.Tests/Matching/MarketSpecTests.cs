using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Matching;

public sealed class MarketSpecTests
{
    private static readonly MarketSpec Spec = new("BTC-USD", tickSize: 0.01m, lotSize: 0.00001m, maxPriceTicks: 100_000_000, maxQuantityLots: 10_000_000);

    [Theory]
    [InlineData("65000.25", 6_500_025)]
    [InlineData("0.01", 1)]
    [InlineData("1000000.00", 100_000_000)]
    [InlineData("65000.2500000", 6_500_025)]
    public void Prices_on_the_grid_convert_to_ticks_and_back(string price, long ticks)
    {
        var value = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Spec.TryToPriceTicks(value, out var actual));
        Assert.Equal(ticks, actual);
        Assert.Equal(ticks, Spec.ToPriceTicks(value));
        Assert.Equal(value, Spec.ToPrice(ticks));
    }

    [Theory]
    [InlineData("65000.255")]
    [InlineData("0.001")]
    [InlineData("0")]
    [InlineData("-1.00")]
    [InlineData("1000000.01")]
    public void Prices_off_the_grid_or_out_of_range_are_refused(string price)
    {
        var value = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Spec.TryToPriceTicks(value, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Spec.ToPriceTicks(value));
    }

    [Fact]
    public void Quantities_convert_to_whole_lots_only()
    {
        Assert.Equal(150_000, Spec.ToQuantityLots(1.5m));
        Assert.Equal(1.5m, Spec.ToQuantity(150_000));
        Assert.False(Spec.TryToQuantityLots(0.000001m, out _));
        Assert.False(Spec.TryToQuantityLots(100.00001m, out _));
        Assert.False(Spec.TryToQuantityLots(0m, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Spec.ToQuantityLots(1.000005m));
    }

    [Fact]
    public void Notional_is_exact_and_does_not_overflow()
    {
        Assert.Equal(0.0000001m, Spec.NotionalUnit);
        // 65000.25 USD × 1.5 BTC = 97500.375 USD.
        var notional = MarketSpec.Notional(Spec.ToPriceTicks(65000.25m), Spec.ToQuantityLots(1.5m));
        Assert.Equal(97500.375m, Spec.ToQuoteAmount(notional));
        Assert.Equal((Int128)long.MaxValue * long.MaxValue, MarketSpec.Notional(long.MaxValue, long.MaxValue));
    }

    [Fact]
    public void Quote_budgets_convert_to_notional_units()
    {
        Assert.True(Spec.TryToNotionalUnits(100.50m, out var units));
        Assert.Equal(1_005_000_000, units);
        Assert.False(Spec.TryToNotionalUnits(0.00000001m, out _));
        Assert.False(Spec.TryToNotionalUnits(-1m, out _));
    }

    [Fact]
    public void A_spec_needs_positive_increments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarketSpec("X", 0m, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarketSpec("X", 1m, -1m));
        Assert.Throws<ArgumentException>(() => new MarketSpec(" ", 1m, 1m));
    }
}
