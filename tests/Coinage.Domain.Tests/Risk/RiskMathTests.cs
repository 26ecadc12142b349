using Coinage.Domain.Exchange;
using Coinage.Domain.Risk;

namespace Coinage.Domain.Tests.Risk;

public sealed class PriceBandTests
{
    [Fact]
    public void The_reference_is_the_last_trade_then_the_mid_then_none()
    {
        Assert.Equal(100m, PriceBand.ReferencePrice(100m, 90m, 120m, 1000));
        Assert.Equal(102m, PriceBand.ReferencePrice(null, 100m, 104m, 1000));
        // A spread wider than the band: its mid is a price nobody quotes (a stale bid at 1,000 under an ask at 65,000).
        Assert.Null(PriceBand.ReferencePrice(null, 1_000m, 65_000m, 1000));
        Assert.Null(PriceBand.ReferencePrice(null, 90m, 120m, 1000));
        Assert.Equal(105m, PriceBand.ReferencePrice(null, 90m, 120m, 1500));
        Assert.Null(PriceBand.ReferencePrice(null, 90m, null, 1000));
        Assert.Null(PriceBand.ReferencePrice(null, null, 120m, 1000));
        Assert.Null(PriceBand.ReferencePrice(null, null, null, 1000));
    }

    [Fact]
    public void A_ten_percent_band_around_65000_with_1_dollar_ticks()
    {
        var band = PriceBand.Around(65_000m, 1000, 1m)!.Value;
        Assert.Equal((58_500m, 71_500m), (band.Low, band.High));
        Assert.True(band.Contains(58_500m));
        Assert.True(band.Contains(71_500m));
        Assert.False(band.Contains(58_499m));
        Assert.False(band.Contains(71_501m));
    }

    [Fact]
    public void Bounds_off_the_grid_are_rounded_inwards()
    {
        // 10 % of 0.05437 = 0.005437: the raw bounds 0.048933 and 0.059807 lie between ticks of 0.00001.
        var band = PriceBand.Around(0.05437m, 1000, 0.00001m)!.Value;
        Assert.Equal((0.04894m, 0.0598m), (band.Low, band.High));
        Assert.False(band.Contains(0.04893m));
        Assert.False(band.Contains(0.05981m));
    }

    [Fact]
    public void No_reference_or_no_band_means_no_band()
    {
        Assert.Null(PriceBand.Around(null, 1000, 1m));
        Assert.Null(PriceBand.Around(100m, null, 1m));
        Assert.Null(PriceBand.Around(100m, 0, 1m));
    }

    [Fact]
    public void A_full_band_keeps_the_low_bound_one_tick_above_zero()
    {
        var band = PriceBand.Around(10m, 10_000, 0.1m)!.Value;
        Assert.Equal((0.1m, 20m), (band.Low, band.High));
    }
}

public sealed class CircuitBreakerTests
{
    [Theory]
    [InlineData("100", "115", 1500, false)]  // exactly 15 %: not beyond
    [InlineData("100", "115.01", 1500, true)]
    [InlineData("100", "100", 1500, false)]
    [InlineData("0.05", "0.06", 1500, true)] // 20 %
    [InlineData("100", "130", null, false)]  // breaker off
    public void Trips_only_beyond_the_move(string low, string high, int? bps, bool trips)
    {
        var trip = CircuitBreaker.Check(decimal.Parse(low, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(high, System.Globalization.CultureInfo.InvariantCulture), bps);
        Assert.Equal(trips, trip is not null);
    }

    [Fact]
    public void The_trip_says_how_far_the_market_moved()
    {
        var trip = CircuitBreaker.Check(60_000m, 70_000m, 1500)!;
        Assert.Equal((60_000m, 70_000m, 1666), (trip.Low, trip.High, trip.MoveBps));
    }

    [Fact]
    public void No_trades_in_the_window_never_trip()
    {
        Assert.Null(CircuitBreaker.Check(null, null, 1500));
    }

    [Fact]
    public void The_window_never_reaches_back_before_the_last_status_change()
    {
        var now = new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddMinutes(-5), CircuitBreaker.WindowStart(now, TimeSpan.FromMinutes(5), null));
        Assert.Equal(now.AddMinutes(-5), CircuitBreaker.WindowStart(now, TimeSpan.FromMinutes(5), now.AddHours(-1)));
        Assert.Equal(now.AddMinutes(-1), CircuitBreaker.WindowStart(now, TimeSpan.FromMinutes(5), now.AddMinutes(-1)));
    }

    [Fact]
    public void A_halt_reopens_through_cancel_only_then_trading()
    {
        Assert.Equal((MarketStatus.CancelOnly, TimeSpan.FromMinutes(1)), CircuitBreaker.Next(MarketStatus.Halted, TimeSpan.FromMinutes(1)));
        Assert.Equal((MarketStatus.Open, (TimeSpan?)null), CircuitBreaker.Next(MarketStatus.CancelOnly, TimeSpan.FromMinutes(1)));
        // No cancel-only period: straight back to trading.
        Assert.Equal((MarketStatus.Open, (TimeSpan?)null), CircuitBreaker.Next(MarketStatus.Halted, TimeSpan.Zero));
    }

    /// <summary>A trade sequence replayed through a sliding window trips at the same trade every time.</summary>
    [Fact]
    public void A_replayed_sequence_trips_at_the_same_trade()
    {
        var start = new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
        // Drifts up 1 % a minute (never 15 % within 5 minutes), then jumps.
        var trades = Enumerable.Range(0, 20).Select(i => (At: start.AddMinutes(i), Price: 100m * (1 + i / 100m)))
            .Append((At: start.AddMinutes(20), Price: 140m)).ToList();
        int? FirstTrip()
        {
            for (var i = 0; i < trades.Count; i++)
            {
                var from = CircuitBreaker.WindowStart(trades[i].At, TimeSpan.FromMinutes(5), null);
                var window = trades.Take(i + 1).Where(t => t.At > from).Select(t => t.Price).ToList();
                if (CircuitBreaker.Check(window.Min(), window.Max(), 1500) is not null)
                {
                    return i;
                }
            }
            return null;
        }
        Assert.Equal(20, FirstTrip());
        Assert.Equal(20, FirstTrip());
    }
}
