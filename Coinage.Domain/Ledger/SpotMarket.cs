using Coinage.Domain.Matching;

namespace Coinage.Domain.Ledger;

/// <summary>
/// A market as the ledger sees it: the engine's grid (<see cref="MatchingEngine"/> units), the two
/// assets and the fee schedule. Every conversion is exact: the constructor refuses a grid whose lot
/// is finer than the base asset's precision or whose notional unit (tick × lot) is finer than the
/// quote asset's precision, so any base quantity and any notional is a whole number of ledger units
/// and trades never need rounding; only fees do (up, see <see cref="Fee"/>).
/// </summary>
public sealed class SpotMarket
{
    /// <summary>10,000 bps = 100 %: a fee can never exceed the notional it is charged on.</summary>
    public const decimal MaxFeeBps = 10_000m;

    public SpotMarket(MarketSpec spec, Asset baseAsset, Asset quoteAsset, decimal makerFeeBps, decimal takerFeeBps)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(baseAsset);
        ArgumentNullException.ThrowIfNull(quoteAsset);
        if (baseAsset.Code == quoteAsset.Code)
        {
            throw new ArgumentException("A market trades two different assets.", nameof(quoteAsset));
        }

        if (!baseAsset.IsOnGrid(spec.LotSize))
        {
            throw new ArgumentException(
                $"{spec.Symbol}: lot size {spec.LotSize} is finer than {baseAsset.Code}'s {baseAsset.Precision} decimals.", nameof(spec));
        }

        if (!quoteAsset.IsOnGrid(spec.NotionalUnit))
        {
            throw new ArgumentException(
                $"{spec.Symbol}: tick × lot = {spec.NotionalUnit} is finer than {quoteAsset.Code}'s {quoteAsset.Precision} decimals; " +
                "a larger tick or lot keeps every notional exact.", nameof(spec));
        }

        ValidateBps(makerFeeBps, nameof(makerFeeBps));
        ValidateBps(takerFeeBps, nameof(takerFeeBps));
        Spec = spec;
        Base = baseAsset;
        Quote = quoteAsset;
        MakerFeeBps = makerFeeBps;
        TakerFeeBps = takerFeeBps;
    }

    public MarketSpec Spec { get; }

    public string Symbol => Spec.Symbol;

    public Asset Base { get; }

    public Asset Quote { get; }

    /// <summary>Fee of the resting side, in basis points of the notional (≥ 0: no rebates).</summary>
    public decimal MakerFeeBps { get; }

    /// <summary>Fee of the incoming side, in basis points of the notional.</summary>
    public decimal TakerFeeBps { get; }

    /// <summary>
    /// The rate buy holds reserve for fees. Whether an order ends up maker or taker is only known
    /// when it trades, so the hold assumes the dearer of the two; what is not used is released.
    /// </summary>
    public decimal HoldFeeBps => Math.Max(MakerFeeBps, TakerFeeBps);

    /// <summary>Base amount of <paramref name="lots"/> lots.</summary>
    public decimal BaseQuantity(long lots) => lots * Spec.LotSize;

    /// <summary>Quote amount of <paramref name="lots"/> lots at <paramref name="priceTicks"/>: ticks × tick size × lots × lot size, exact.</summary>
    public decimal QuoteNotional(long priceTicks, long lots) => QuoteAmount(MarketSpec.Notional(priceTicks, lots));

    /// <summary>Quote amount of a number of notional units (tick × lot), e.g. a market buy's budget.</summary>
    public decimal QuoteAmount(Int128 notionalUnits) => checked((decimal)notionalUnits * Spec.NotionalUnit);

    /// <summary>The exact, unrounded fee on <paramref name="quoteNotional"/> at <paramref name="bps"/>.</summary>
    public static decimal ExactFee(decimal quoteNotional, decimal bps) => quoteNotional * bps / 10_000m;

    /// <summary>
    /// The fee charged on <paramref name="quoteNotional"/>: rounded UP to the quote asset's precision,
    /// so the exchange never under-charges. Charged per order cumulatively (see <see cref="SettlementCalculator"/>),
    /// not per trade, so that many tiny fills do not each round a fraction of a cent up to a whole cent.
    /// </summary>
    public decimal Fee(decimal quoteNotional, decimal bps) => Quote.RoundUp(ExactFee(quoteNotional, bps));

    private static void ValidateBps(decimal bps, string name)
    {
        if (bps < 0 || bps > MaxFeeBps || decimal.Round(bps, 4) != bps)
        {
            throw new ArgumentOutOfRangeException(name, bps, "A fee is 0 to 10,000 basis points with at most 4 decimals.");
        }
    }
}
