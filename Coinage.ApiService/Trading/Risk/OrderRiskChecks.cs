using System.Globalization;
using Coinage.ApiService.Identity;
using Coinage.ApiService.MarketData;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Coinage.Domain.Risk;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.ApiService.Trading.Risk;

/// <summary>
/// The risk controls an order is judged by before it reaches the group commit: the market's size and notional caps
/// and its price band (docs/exchange.md, "Risk controls"). What needs a lock to be judged fairly (the market's status,
/// the trader's suspension, the open-order cap) is judged by the group commit (<see cref="OrderCommitter"/>).
/// </summary>
internal static class OrderRiskChecks
{
    public static async Task<ProblemHttpResult?> CheckAsync(PlaceOrder terms, MarketRecord market, SpotMarket spot, MarketDataReader marketData,
        CancellationToken cancellationToken)
    {
        if (terms.Quantity > 0 && market.MaxOrderSize is { } maxSize && spot.BaseQuantity(terms.Quantity) > maxSize)
        {
            return Refusal(RiskErrorCodes.MaxOrderSize, "quantity",
                $"The largest order {market.Symbol} accepts is {Money.Format(maxSize)} {market.BaseAsset}.", new() { ["maxOrderSize"] = Money.Format(maxSize) });
        }
        if (market.MaxOrderNotional is { } maxNotional)
        {
            var (notional, field) = terms.Type == OrderType.Limit ? (spot.QuoteNotional(terms.Price, terms.Quantity), "quantity")
                : terms.QuoteBudget > 0 ? (spot.QuoteAmount(terms.QuoteBudget), "quoteAmount")
                : (0m, "quantity"); // a market sell's value is known only when it trades: the size cap bounds it
            if (notional > maxNotional)
            {
                return Refusal(RiskErrorCodes.MaxOrderNotional, field,
                    $"The order is worth {Money.Format(notional)} {market.QuoteAsset}; the most {market.Symbol} accepts is {Money.Format(maxNotional)} {market.QuoteAsset}.",
                    new() { ["maxOrderNotional"] = Money.Format(maxNotional) });
            }
        }
        if (terms.Type == OrderType.Limit && market.PriceBandBps is { } bps)
        {
            var reference = await ReferencePriceAsync(market, spot, bps, marketData, cancellationToken).ConfigureAwait(false);
            if (PriceBand.Around(reference, bps, spot.Spec.TickSize) is { } band && !band.Contains(spot.Spec.ToPrice(terms.Price)))
            {
                return Refusal(RiskErrorCodes.PriceBand, "price",
                    $"The price must be between {Money.Format(band.Low)} and {Money.Format(band.High)} {market.QuoteAsset}: within {Percent(bps)} % of the reference price {Money.Format(band.Reference)}.",
                    new() { ["band"] = new { low = Money.Format(band.Low), high = Money.Format(band.High), reference = Money.Format(band.Reference), percent = Percent(bps) } });
            }
        }
        return null;
    }

    /// <summary>
    /// The last trade, else the mid of a tight book (<see cref="PriceBand.ReferencePrice"/>), as last published by the matching host (Redis; PostgreSQL when Redis
    /// has nothing): what the API knows of the market without asking the Worker.
    /// </summary>
    internal static async Task<decimal?> ReferencePriceAsync(MarketRecord market, SpotMarket spot, int bandBps, MarketDataReader marketData, CancellationToken cancellationToken)
    {
        var info = new MarketInfo(market, spot);
        if (await LastTradePriceAsync(info, marketData, cancellationToken).ConfigureAwait(false) is { } price)
        {
            return price;
        }
        var book = await marketData.BookAsync(info, 1, cancellationToken).ConfigureAwait(false);
        return PriceBand.ReferencePrice(null, Best(book.Bids), Best(book.Asks), bandBps);
    }

    /// <summary>The last trade price as last published (Redis; PostgreSQL when Redis has none), or null before the first trade.</summary>
    internal static async Task<decimal?> LastTradePriceAsync(MarketInfo market, MarketDataReader marketData, CancellationToken cancellationToken) =>
        await marketData.TradesAsync(market, 1, cancellationToken).ConfigureAwait(false) is [var last, ..] && Money.TryParse(last.Price, out var price) ? price : null;

    private static decimal? Best(string[][] side) => side is [[var price, ..], ..] && Money.TryParse(price, out var value) ? value : null;

    private static string Percent(int bps) => (bps / 100m).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A 422 about one field, with the limit it broke as an extension so a client need not parse the text.</summary>
    private static ProblemHttpResult Refusal(string code, string field, string detail, Dictionary<string, object?> limits)
    {
        limits["code"] = code;
        limits["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The order breaks a risk limit of the market.",
            type: Problems.TypeBase + code, extensions: limits);
    }
}

/// <summary>The problem codes of the risk controls (docs/exchange.md, "Risk controls").</summary>
public static class RiskErrorCodes
{
    public const string PriceBand = "price_band";
    public const string MaxOrderSize = "max_order_size";
    public const string MaxOrderNotional = "max_order_notional";
    public const string OpenOrderLimit = "open_order_limit";
    public const string MarketCancelOnly = "market_cancel_only";
    public const string TradingSuspended = "trading_suspended";
}
