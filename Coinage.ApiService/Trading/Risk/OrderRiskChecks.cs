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
    public static async Task<ProblemHttpResult?> CheckAsync(PlaceOrder terms, MarketRecord market, SpotMarket spot, PublishedPrices prices,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prices);
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
            var reference = await ReferencePriceAsync(bps, prices, cancellationToken).ConfigureAwait(false);
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
    internal static async Task<decimal?> ReferencePriceAsync(int bandBps, PublishedPrices prices, CancellationToken cancellationToken)
    {
        if (await prices.LastTradeAsync(cancellationToken).ConfigureAwait(false) is { } price)
        {
            return price;
        }
        var book = await prices.TopOfBookAsync(cancellationToken).ConfigureAwait(false);
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

/// <summary>
/// A market's prices as the matching host last published them, read at most once per request however many checks ask:
/// an OCO pair's price rule and the risk checks of its two legs all judge against the same last trade (and, before the
/// first trade, the same book), read once. One per request: a later request must see the prices of its own moment.
/// </summary>
internal sealed class PublishedPrices(MarketInfo market, MarketDataReader marketData)
{
    private Task<decimal?>? _lastTrade;
    private Task<Coinage.Domain.MarketData.BookSnapshot>? _top;

    public MarketInfo Market => market;

    /// <summary><see cref="OrderRiskChecks.LastTradePriceAsync"/>, read on first use.</summary>
    public Task<decimal?> LastTradeAsync(CancellationToken cancellationToken) =>
        _lastTrade ??= OrderRiskChecks.LastTradePriceAsync(market, marketData, cancellationToken);

    /// <summary>The best level of each side, read on first use.</summary>
    public Task<Coinage.Domain.MarketData.BookSnapshot> TopOfBookAsync(CancellationToken cancellationToken) =>
        _top ??= marketData.BookAsync(market, 1, cancellationToken);
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
