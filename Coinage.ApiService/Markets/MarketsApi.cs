using Coinage.ApiService.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Risk;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Markets;

/// <param name="Status"><c>open</c>, <c>halted</c> or <c>cancel_only</c> (only cancels are accepted).</param>
/// <param name="StatusSource"><c>admin</c> or <c>circuit_breaker</c>.</param>
/// <param name="StatusUntil">When the circuit breaker's current phase ends by itself (halt, then cancel-only); null otherwise.</param>
public sealed record MarketResponse(
    string Symbol, string BaseAsset, string QuoteAsset, int BasePrecision, int QuotePrecision,
    string TickSize, string LotSize, string MinQuantity, string MinNotional, string MakerFeeBps, string TakerFeeBps, string Status,
    string StatusSource, DateTimeOffset? StatusUntil, MarketRiskResponse Risk);

/// <summary>A market's risk controls (docs/exchange.md, "Risk controls"); a null limit is off. Percentages as decimal strings.</summary>
public sealed record MarketRiskResponse(
    string? PriceBandPercent, string? MaxOrderSize, string? MaxOrderNotional, int? OpenOrderLimit,
    string? BreakerMovePercent, int BreakerWindowSeconds, int BreakerHaltSeconds, int BreakerCancelOnlySeconds);

/// <summary>An asset and the decimals the ledger keeps of it: what every amount of it is shown and typed to.</summary>
/// <param name="WithdrawalFee">The flat fee a withdrawal of the asset requested now is charged, on top of its amount.</param>
public sealed record AssetResponse(string Code, int Precision, string WithdrawalFee);

/// <summary><c>/api/v1/markets</c>: the markets and their trading rules, and <c>/api/v1/assets</c> (public).</summary>
public static class MarketsApi
{
    public static IEndpointRouteBuilder MapMarketsApi(this IEndpointRouteBuilder routes)
    {
        var markets = routes.MapGroup("/api/v1/markets").WithTags("Markets").AllowAnonymous();
        markets.MapGet("", ListAsync).WithSummary("Every market with its grid, minimums, fees and status");
        markets.MapGet("/{symbol}", GetAsync).WithSummary("One market").ProducesProblem(StatusCodes.Status404NotFound);
        routes.MapGet("/api/v1/assets", AssetsAsync).WithTags("Markets").AllowAnonymous()
            .WithSummary("Every asset with its precision (decimals) and withdrawal fee, traded on a market or not");
        return routes;
    }

    public static async Task<Ok<IReadOnlyList<MarketResponse>>> ListAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        var rows = await db.Markets.AsNoTracking().OrderBy(m => m.Symbol).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<MarketResponse>>(rows.Select(m => ToResponse(m, assets)).ToList());
    }

    public static async Task<Ok<IReadOnlyList<AssetResponse>>> AssetsAsync(CoinageDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<AssetResponse>>((await db.Assets.AsNoTracking().OrderBy(a => a.Code).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(ToResponse).ToList());

    public static AssetResponse ToResponse(AssetRecord asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        return new AssetResponse(asset.Code, asset.Precision, Money.Format(asset.WithdrawalFee));
    }

    public static async Task<Results<Ok<MarketResponse>, ProblemHttpResult>> GetAsync(string symbol, CoinageDbContext db, CancellationToken cancellationToken)
    {
        var market = await db.Markets.AsNoTracking().FirstOrDefaultAsync(m => m.Symbol == symbol.ToUpperInvariant(), cancellationToken).ConfigureAwait(false);
        if (market is null)
        {
            return ExchangeProblems.NotFound($"No market '{symbol}'.");
        }
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ToResponse(market, assets));
    }

    internal static MarketResponse ToResponse(MarketRecord m, IReadOnlyDictionary<string, Coinage.Domain.Ledger.Asset> assets) => new(
        m.Symbol, m.BaseAsset, m.QuoteAsset, assets[m.BaseAsset].Precision, assets[m.QuoteAsset].Precision,
        Money.Format(m.TickSize), Money.Format(m.LotSize), Money.Format(m.MinQuantity), Money.Format(m.MinNotional),
        Money.Format(m.MakerFeeBps), Money.Format(m.TakerFeeBps), MarketStatusEvents.Name(m.Status), MarketStatusEvents.Name(m.StatusSource), m.StatusUntil,
        new MarketRiskResponse(Percent(m.PriceBandBps), Money.Format(m.MaxOrderSize), Money.Format(m.MaxOrderNotional), m.OpenOrderLimit,
            Percent(m.BreakerMoveBps), m.BreakerWindowSeconds, m.BreakerHaltSeconds, m.BreakerCancelOnlySeconds));

    private static string? Percent(int? bps) => bps is { } b ? Money.Format(b / 100m) : null;
}
