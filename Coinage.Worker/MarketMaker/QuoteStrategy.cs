using System.Globalization;

namespace Coinage.Worker.MarketMaker;

/// <summary>A market's trading rules as <c>GET /api/v1/markets</c> gives them.</summary>
public sealed record MarketRules(string Symbol, string BaseAsset, string QuoteAsset, decimal TickSize, decimal LotSize, decimal MinQuantity, decimal MinNotional);

public sealed record RestingQuote(string Id, bool IsBuy, decimal Price, DateTimeOffset CreatedAt);

public sealed record QuoteOrder(bool IsBuy, decimal Price, decimal Quantity);

/// <summary>What one cycle does to one market's quotes.</summary>
public sealed record QuotePlan(IReadOnlyList<string> Cancel, IReadOnlyList<QuoteOrder> Place);

/// <summary>
/// The market maker's arithmetic, all in <see cref="decimal"/> on the market's tick and lot grid:
/// a random walk of the reference price, and a ladder of quotes within a band around it. Pure, so
/// it is tested without an exchange.
/// </summary>
public sealed class QuoteStrategy(MarketMakerOptions options, Random random)
{
    /// <summary>The reference moved by a whole number of basis points in [−MaxStepBps, +MaxStepBps], kept on the tick grid.</summary>
    public decimal Walk(MarketRules market, decimal reference)
    {
        ArgumentNullException.ThrowIfNull(market);
        var step = random.Next(-options.MaxStepBps, options.MaxStepBps + 1);
        var next = RoundToTick(reference * (10_000m + step) / 10_000m, market.TickSize, MidpointRounding.ToEven);
        // Never walk to zero or to a price whose band would leave the grid.
        return Math.Max(next, market.TickSize * 10_000m / options.MinSpreadBps);
    }

    /// <summary>
    /// Keeps quotes inside the band [MinSpread, MaxSpread] on their side of <paramref name="reference"/>,
    /// cancels those outside it (and sometimes the oldest, so quotes keep changing), and tops each side up
    /// to <c>Levels</c> at random prices within the band.
    /// </summary>
    public QuotePlan Plan(MarketRules market, decimal reference, IReadOnlyList<RestingQuote> resting)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(resting);
        var cancel = new List<string>();
        var place = new List<QuoteOrder>();
        foreach (var isBuy in new[] { true, false })
        {
            var (near, far) = Band(market, reference, isBuy);
            var side = resting.Where(q => q.IsBuy == isBuy).OrderBy(q => q.CreatedAt).ToList();
            var kept = new List<RestingQuote>();
            foreach (var quote in side)
            {
                var inside = isBuy ? quote.Price <= near && quote.Price >= far : quote.Price >= near && quote.Price <= far;
                if (inside)
                {
                    kept.Add(quote);
                }
                else
                {
                    cancel.Add(quote.Id);
                }
            }
            if (kept.Count > 0 && random.Next(100) < options.RefreshPercent)
            {
                cancel.Add(kept[0].Id);
                kept.RemoveAt(0);
            }
            while (kept.Count > options.Levels)
            {
                cancel.Add(kept[0].Id);
                kept.RemoveAt(0);
            }
            for (var i = kept.Count; i < options.Levels; i++)
            {
                var price = RandomPrice(market, near, far);
                place.Add(new QuoteOrder(isBuy, price, Size(market, price)));
            }
        }
        return new QuotePlan(cancel, place);
    }

    /// <summary>A small order across the spread: a limit IOC one tick through the best opposite quote.</summary>
    public QuoteOrder Cross(MarketRules market, bool isBuy, decimal bestOpposite)
    {
        ArgumentNullException.ThrowIfNull(market);
        var price = isBuy ? bestOpposite + market.TickSize : Math.Max(market.TickSize, bestOpposite - market.TickSize);
        return new QuoteOrder(isBuy, price, MinimumSize(market, price));
    }

    /// <summary>The closest and the farthest allowed price of a side, on the grid, never crossing the reference.</summary>
    public (decimal Near, decimal Far) Band(MarketRules market, decimal reference, bool isBuy)
    {
        ArgumentNullException.ThrowIfNull(market);
        var min = reference * options.MinSpreadBps / 10_000m;
        var max = reference * options.MaxSpreadBps / 10_000m;
        return isBuy
            ? (RoundToTick(reference - min, market.TickSize, MidpointRounding.ToNegativeInfinity), RoundToTick(reference - max, market.TickSize, MidpointRounding.ToPositiveInfinity))
            : (RoundToTick(reference + min, market.TickSize, MidpointRounding.ToPositiveInfinity), RoundToTick(reference + max, market.TickSize, MidpointRounding.ToNegativeInfinity));
    }

    private decimal RandomPrice(MarketRules market, decimal near, decimal far)
    {
        var ticks = (long)(Math.Abs(near - far) / market.TickSize);
        var offset = ticks <= 0 ? 0 : random.NextInt64(ticks + 1);
        return near < far ? near + offset * market.TickSize : near - offset * market.TickSize;
    }

    private decimal Size(MarketRules market, decimal price) =>
        MinimumSize(market, price) * random.Next(1, options.MaxSizeMultiple + 1);

    /// <summary>The fewest lots that meet both the minimum quantity and the minimum notional at <paramref name="price"/>.</summary>
    public static decimal MinimumSize(MarketRules market, decimal price)
    {
        ArgumentNullException.ThrowIfNull(market);
        var lots = Math.Max(1m, Math.Ceiling(market.MinQuantity / market.LotSize));
        if (price > 0 && market.MinNotional > 0)
        {
            lots = Math.Max(lots, Math.Ceiling(market.MinNotional / (price * market.LotSize)));
        }
        return lots * market.LotSize;
    }

    public static decimal RoundToTick(decimal price, decimal tick, MidpointRounding mode) =>
        Math.Round(price / tick, 0, mode) * tick;

    public static string Format(decimal value) => value.ToString("0.##################", CultureInfo.InvariantCulture);
}
