using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Markets;
using Coinage.ApiService.Security;
using Coinage.ApiService.Trading;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Admin;

/// <summary><c>/api/v1/admin/markets</c>: halt and resume trading (Admin). A halted market refuses new orders; cancels still work.</summary>
public static class MarketAdminApi
{
    public static IEndpointRouteBuilder MapMarketAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin/markets").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/{symbol}/halt", (string symbol, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken ct) =>
            SetStatusAsync(symbol, MarketStatus.Halted, http, db, clock, ct)).WithSummary("Halt a market: new orders are refused with market_halted");
        admin.MapPost("/{symbol}/resume", (string symbol, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken ct) =>
            SetStatusAsync(symbol, MarketStatus.Open, http, db, clock, ct)).WithSummary("Resume a halted market");
        return routes;
    }

    public static async Task<Results<Ok<MarketResponse>, ProblemHttpResult>> SetStatusAsync(
        string symbol, MarketStatus status, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var market = await db.Markets.FromSql($"SELECT * FROM markets WHERE symbol = {symbol.ToUpperInvariant()} FOR UPDATE")
            .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (market is null)
        {
            return ExchangeProblems.NotFound($"No market '{symbol}'.");
        }
        var previous = market.Status;
        market.Status = status;
        await AuditLog.AppendAsync(db, status == MarketStatus.Halted ? "market.halted" : "market.resumed", clock.GetUtcNow(),
            http.User.UserId(), null, http.ClientIp(), new { market = market.Symbol, from = previous.ToString(), to = status.ToString() }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(MarketsApi.ToResponse(market, assets));
    }
}
