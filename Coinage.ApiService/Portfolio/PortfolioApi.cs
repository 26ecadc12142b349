using System.Globalization;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Portfolio;

/// <summary>One asset of the portfolio: its amount (available plus held), its price and value in the quote asset; null when nothing prices it yet.</summary>
public sealed record HoldingResponse(string Asset, string Amount, string? Price, string? Value);

/// <summary>The portfolio now: its total in the quote asset (assets without a price left out) and each asset.</summary>
public sealed record PortfolioResponse(string Quote, string Value, IReadOnlyList<HoldingResponse> Holdings, DateTimeOffset AsOf);

/// <summary>The value at the end of one UTC day (today: now); <c>Unpriced</c> names what was held but had no price yet.</summary>
public sealed record PortfolioPointResponse(string Date, string Value, IReadOnlyList<string> Unpriced);

public sealed record PortfolioHistoryResponse(string Quote, IReadOnlyList<PortfolioPointResponse> Points);

/// <summary><c>/api/v1/portfolio</c>: the signed-in trader's holdings valued in an asset of their choice, now and day by day.</summary>
public static class PortfolioApi
{
    public const int MaxDays = 365;
    public const string DefaultQuote = "USD";

    public static IHostApplicationBuilder AddPortfolio(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<PortfolioValuation>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPortfolioApi(this IEndpointRouteBuilder routes)
    {
        var portfolio = routes.MapGroup("/api/v1/portfolio").WithTags("Portfolio").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        portfolio.MapGet("", PortfolioAsync).WithSummary("The holdings valued in the quote asset (default USD) at the last trade prices")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        portfolio.MapGet("/history", HistoryAsync)
            .WithSummary("The portfolio's value at the end of each of the last `days` UTC days (1–365, default 30), from the ledger and the daily closes")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<Results<Ok<PortfolioResponse>, ProblemHttpResult>> PortfolioAsync(
        string? quote, HttpContext http, CoinageDbContext db, PortfolioValuation valuation, TimeProvider clock, CancellationToken cancellationToken)
    {
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        if (!TryQuote(quote, assets, out var quoteAsset, out var problem))
        {
            return problem;
        }
        var loaded = await LoadAsync(http, db, valuation, 1, cancellationToken).ConfigureAwait(false);
        var valued = PortfolioMath.Value(loaded.Holdings[0], loaded.Prices, quoteAsset, 0);
        var holdings = valued.Select(v => new HoldingResponse(v.Asset, Money.Format(v.Amount), Format(v.Price, quoteAsset), Money.Format(v.Value))).ToList();
        return TypedResults.Ok(new PortfolioResponse(quoteAsset.Code, Money.Format(valued.Sum(v => v.Value ?? 0m)), holdings, clock.GetUtcNow()));
    }

    public static async Task<Results<Ok<PortfolioHistoryResponse>, ProblemHttpResult>> HistoryAsync(
        string? quote, string? days, HttpContext http, CoinageDbContext db, PortfolioValuation valuation, CancellationToken cancellationToken)
    {
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        if (!TryQuote(quote, assets, out var quoteAsset, out var problem))
        {
            return problem;
        }
        var count = 30;
        if (days is not null && (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxDays))
        {
            return BadRequest("invalid_days", "days", $"days must be a whole number from 1 to {MaxDays}.");
        }
        var loaded = await LoadAsync(http, db, valuation, count, cancellationToken).ConfigureAwait(false);
        var points = new List<PortfolioPointResponse>(count);
        for (var day = 0; day < count; day++)
        {
            var valued = PortfolioMath.Value(loaded.Holdings[day], loaded.Prices, quoteAsset, day);
            points.Add(new PortfolioPointResponse(
                loaded.First.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Money.Format(valued.Sum(v => v.Value ?? 0m)),
                valued.Where(v => v.Value is null).Select(v => v.Asset).ToList()));
        }
        return TypedResults.Ok(new PortfolioHistoryResponse(quoteAsset.Code, points));
    }

    private static async Task<PortfolioDays> LoadAsync(HttpContext http, CoinageDbContext db, PortfolioValuation valuation, int days, CancellationToken cancellationToken)
    {
        // A user who never funded nor traded has no owner id yet: an empty portfolio, without creating one on a read.
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        var markets = await db.Markets.AsNoTracking().Select(m => new MarketRef(m.Id, m.BaseAsset, m.QuoteAsset)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return await valuation.LoadAsync(owner, markets, days, cancellationToken).ConfigureAwait(false);
    }

    private static bool TryQuote(string? text, IReadOnlyDictionary<string, Asset> assets, out Asset quote, out ProblemHttpResult problem)
    {
        problem = null!;
        var code = string.IsNullOrEmpty(text) ? DefaultQuote : text.ToUpperInvariant();
        if (assets.TryGetValue(code, out var found))
        {
            quote = found;
            return true;
        }
        quote = null!;
        problem = BadRequest(ExchangeErrorCodes.UnknownAsset, "quote", $"quote must be one of the listed assets: {string.Join(", ", assets.Keys.Order(StringComparer.Ordinal))}.");
        return false;
    }

    /// <summary>A price to the quote's decimals, at least: a derived one (1 / price) would otherwise show 28 digits.</summary>
    private static string? Format(decimal? price, Asset quote) =>
        price is { } p ? Money.Format(decimal.Round(p, Math.Max(quote.Precision, 8), MidpointRounding.ToEven)) : null;

    private static ProblemHttpResult BadRequest(string code, string field, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", type: Problems.TypeBase + code,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });
}
