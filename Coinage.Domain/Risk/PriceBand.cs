namespace Coinage.Domain.Risk;

/// <summary>
/// The prices a limit order may carry: within <c>bandBps</c> basis points of the reference price, the low bound
/// rounded up and the high bound rounded down to the tick grid, so a price on the grid is inside exactly when it
/// is within the band.
/// </summary>
public readonly record struct PriceBand(decimal Reference, decimal Low, decimal High)
{
    public const int MaxBps = 10_000;

    /// <summary>
    /// The reference price: the last trade, or the mid of the best bid and ask when the market has not traded.
    /// The last trade is what buyers and sellers actually agreed on; a mid can be moved by a single quote inside a
    /// wide spread without anything trading, and walking the band that way is what the band is there to stop. A mid
    /// counts only when the book is tight, both best prices inside the band around it: under a spread wider than the
    /// band (a stale bid at 1,000 under an ask at 65,000) the mid is a price nobody quotes, and judging by it would
    /// refuse the book's own prices. With neither a trade nor a tight book there is nothing to judge against, and no
    /// band applies.
    /// </summary>
    public static decimal? ReferencePrice(decimal? lastTrade, decimal? bestBid, decimal? bestAsk, int bandBps)
    {
        if (lastTrade is > 0)
        {
            return lastTrade;
        }
        if (bestBid is not { } bid || bestAsk is not { } ask || bid <= 0 || ask <= 0)
        {
            return null;
        }
        var mid = (bid + ask) / 2;
        return (ask - bid) / 2 <= mid * bandBps / MaxBps ? mid : null;
    }

    /// <summary>The band around <paramref name="reference"/>, or null when there is no reference or no band.</summary>
    public static PriceBand? Around(decimal? reference, int? bandBps, decimal tickSize)
    {
        if (reference is not { } r || r <= 0 || bandBps is not (> 0 and <= MaxBps) || tickSize <= 0)
        {
            return null;
        }
        var width = r * bandBps.Value / MaxBps;
        // At least one tick above zero: a 100 % band still refuses nothing a market could trade at.
        var low = Math.Max(tickSize, Math.Ceiling((r - width) / tickSize) * tickSize);
        var high = Math.Floor((r + width) / tickSize) * tickSize;
        return new PriceBand(r, low, high);
    }

    public bool Contains(decimal price) => price >= Low && price <= High;
}
