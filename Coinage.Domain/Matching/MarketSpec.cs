namespace Coinage.Domain.Matching;

/// <summary>
/// The grid of one market. Inside the engine prices are whole ticks and quantities whole lots
/// (<see cref="long"/>); this type converts at the edges and refuses values that are off the grid
/// instead of rounding them, so a trader never gets a price or a size they did not ask for.
/// Notional (price × quantity) is counted in notional units of <c>TickSize × LotSize</c> quote,
/// as <see cref="Int128"/> when it can exceed a <see cref="long"/>.
/// </summary>
public sealed class MarketSpec
{
    /// <summary>10^12: with both limits at this value a level's total of up to ~9 million maximal orders still fits a long.</summary>
    public const long DefaultMaxTicks = 1_000_000_000_000;

    public MarketSpec(string symbol, decimal tickSize, decimal lotSize,
        long maxPriceTicks = DefaultMaxTicks, long maxQuantityLots = DefaultMaxTicks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lotSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPriceTicks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxQuantityLots);
        Symbol = symbol;
        TickSize = tickSize;
        LotSize = lotSize;
        MaxPriceTicks = maxPriceTicks;
        MaxQuantityLots = maxQuantityLots;
        NotionalUnit = tickSize * lotSize;
    }

    public string Symbol { get; }

    /// <summary>Price increment, in quote currency per one base unit.</summary>
    public decimal TickSize { get; }

    /// <summary>Quantity increment, in base currency.</summary>
    public decimal LotSize { get; }

    public long MaxPriceTicks { get; }

    public long MaxQuantityLots { get; }

    /// <summary>Quote amount of one tick × one lot: the unit of notionals and of market-buy quote budgets.</summary>
    public decimal NotionalUnit { get; }

    public bool TryToPriceTicks(decimal price, out long ticks) => TryToUnits(price, TickSize, MaxPriceTicks, out ticks);

    public long ToPriceTicks(decimal price) => TryToPriceTicks(price, out var ticks)
        ? ticks
        : throw new ArgumentOutOfRangeException(nameof(price), price,
            $"Price must be a positive multiple of the tick size {TickSize} and at most {MaxPriceTicks} ticks.");

    public decimal ToPrice(long ticks) => ticks * TickSize;

    public bool TryToQuantityLots(decimal quantity, out long lots) => TryToUnits(quantity, LotSize, MaxQuantityLots, out lots);

    public long ToQuantityLots(decimal quantity) => TryToQuantityLots(quantity, out var lots)
        ? lots
        : throw new ArgumentOutOfRangeException(nameof(quantity), quantity,
            $"Quantity must be a positive multiple of the lot size {LotSize} and at most {MaxQuantityLots} lots.");

    public decimal ToQuantity(long lots) => lots * LotSize;

    /// <summary>Converts a quote amount (e.g. a market buy's budget) to notional units; off-grid amounts are refused.</summary>
    public bool TryToNotionalUnits(decimal quoteAmount, out long units) =>
        TryToUnits(quoteAmount, NotionalUnit, long.MaxValue, out units);

    public static Int128 Notional(long priceTicks, long quantityLots) => (Int128)priceTicks * quantityLots;

    public decimal ToQuoteAmount(Int128 notionalUnits) => (decimal)notionalUnits * NotionalUnit;

    private static bool TryToUnits(decimal value, decimal unit, long max, out long units)
    {
        units = 0;
        if (value <= 0 || value % unit != 0)
        {
            return false;
        }

        var count = value / unit;
        if (count > max)
        {
            return false;
        }

        units = (long)count;
        return true;
    }
}
