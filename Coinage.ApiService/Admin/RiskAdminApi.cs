using System.Globalization;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Markets;
using Coinage.ApiService.Security;
using Coinage.ApiService.Trading;
using Coinage.ApiService.Trading.Risk;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Risk;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Admin;

/// <summary>
/// A market's risk controls, replaced as a whole. Percentages and amounts are decimal strings; a null limit is off.
/// The breaker's periods are seconds: the window (1–86,400), the halt (1–86,400) and the cancel-only period after it
/// (0–86,400; 0 reopens straight to trading).
/// </summary>
public sealed record MarketRiskRequest(
    string? PriceBandPercent, string? MaxOrderSize, string? MaxOrderNotional, int? OpenOrderLimit,
    string? BreakerMovePercent, int? BreakerWindowSeconds, int? BreakerHaltSeconds, int? BreakerCancelOnlySeconds);

/// <param name="CancelOrders">Also cancel every open order of the user, in every market, at once.</param>
public sealed record SuspendTradingRequest(bool CancelOrders = false);

public sealed record TradingSuspensionResponse(string UserId, bool Suspended, DateTimeOffset? SuspendedAt);

/// <summary>
/// <c>/api/v1/admin/markets/{symbol}/risk</c> and <c>/api/v1/admin/users/{id}/trading-suspension</c> (Admin, step-up,
/// audited): a market's risk controls and the per-user kill switch (docs/exchange.md, "Risk controls"). The market
/// kill switches (halt, cancel-only, resume) are in <see cref="MarketAdminApi"/>.
/// </summary>
public static class RiskAdminApi
{
    public const string InvalidRiskSettings = "invalid_risk_settings";
    private const int MaxSeconds = 86_400;

    public static IEndpointRouteBuilder MapRiskAdminApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v1/admin/markets").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .MapPut("/{symbol}/risk", UpdateRiskAsync).RequireStepUp()
            .WithSummary("Replace a market's risk controls (price band, size and notional caps, open-order cap, circuit breaker)")
            .WithDescription("Errors: 400 invalid_risk_settings with errors.{field}; 404 not_found.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        var users = routes.MapGroup("/api/v1/admin/users/{id}/trading-suspension").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        users.MapGet("", GetSuspensionAsync).WithSummary("Whether the user's trading is suspended");
        users.MapPost("", SuspendAsync).RequireStepUp()
            .WithSummary("Suspend the user's trading: new orders are refused with trading_suspended, cancels go through; optionally cancel all their open orders");
        users.MapDelete("", ResumeAsync).RequireStepUp().WithSummary("Lift the suspension");
        return routes;
    }

    public static async Task<Results<Ok<MarketResponse>, ProblemHttpResult>> UpdateRiskAsync(
        string symbol, MarketRiskRequest request, HttpContext http, CoinageDbContext db, MarketStatusChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(changes);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var market = await db.Markets.FromSql($"SELECT * FROM markets WHERE symbol = {symbol.ToUpperInvariant()} FOR UPDATE")
            .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (market is null)
        {
            return ExchangeProblems.NotFound($"No market '{symbol}'.");
        }
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        var spot = ExchangeCatalog.ToSpotMarket(market, assets);
        if (Validate(request, market, spot) is { } invalid)
        {
            return invalid;
        }
        var before = MarketsApi.ToResponse(market, assets).Risk;
        market.PriceBandBps = Bps(request.PriceBandPercent);
        market.MaxOrderSize = Amount(request.MaxOrderSize);
        market.MaxOrderNotional = Amount(request.MaxOrderNotional);
        market.OpenOrderLimit = request.OpenOrderLimit;
        market.BreakerMoveBps = Bps(request.BreakerMovePercent);
        market.BreakerWindowSeconds = request.BreakerWindowSeconds!.Value;
        market.BreakerHaltSeconds = request.BreakerHaltSeconds!.Value;
        market.BreakerCancelOnlySeconds = request.BreakerCancelOnlySeconds!.Value;
        var now = changes.Clock.GetUtcNow();
        var after = MarketsApi.ToResponse(market, assets).Risk;
        await AuditLog.AppendAsync(db, "market.risk_updated", now, http.User.UserId(), null, http.ClientIp(), new { market = market.Symbol, from = before, to = after },
            cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await changes.ChangedAsync(market, now).ConfigureAwait(false);
        return TypedResults.Ok(MarketsApi.ToResponse(market, assets));
    }

    /// <summary>Every field's problem at once, so the admin form marks them all.</summary>
    private static ProblemHttpResult? Validate(MarketRiskRequest r, MarketRecord market, SpotMarket spot)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[field] = [message];
        foreach (var (field, text) in new[] { ("priceBandPercent", r.PriceBandPercent), ("breakerMovePercent", r.BreakerMovePercent) })
        {
            if (text is not null && (!Money.TryParse(text, out var percent) || percent is <= 0 or > 100 || decimal.Round(percent, 2) != percent))
            {
                Error(field, "A percentage above 0 and at most 100, with at most 2 decimals; null turns the control off.");
            }
        }
        if (r.MaxOrderSize is not null && (!Money.TryParse(r.MaxOrderSize, out var size) || size > Asset.MaxAmount || !spot.Spec.TryToQuantityLots(size, out _) || size < market.MinQuantity))
        {
            Error("maxOrderSize", $"A whole number of lots ({Money.Format(market.LotSize)} {market.BaseAsset}), at least the minimum size {Money.Format(market.MinQuantity)}.");
        }
        if (r.MaxOrderNotional is not null && (!Money.TryParse(r.MaxOrderNotional, out var notional) || notional > Asset.MaxAmount || !spot.Quote.IsOnGrid(notional) || notional < market.MinNotional))
        {
            Error("maxOrderNotional", $"An amount of {market.QuoteAsset} with at most {spot.Quote.Precision} decimals, at least the minimum notional {Money.Format(market.MinNotional)}.");
        }
        if (r.OpenOrderLimit is < 1 or > 100_000)
        {
            Error("openOrderLimit", "Between 1 and 100000; null turns the cap off.");
        }
        foreach (var (field, value, min) in new[] { ("breakerWindowSeconds", r.BreakerWindowSeconds, 1), ("breakerHaltSeconds", r.BreakerHaltSeconds, 1), ("breakerCancelOnlySeconds", r.BreakerCancelOnlySeconds, 0) })
        {
            if (value is not { } seconds || seconds < min || seconds > MaxSeconds)
            {
                Error(field, $"Required: {min} to {MaxSeconds} seconds.");
            }
        }
        if (errors.Count == 0)
        {
            return null;
        }
        return TypedResults.Problem(detail: string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value[0]}")), statusCode: StatusCodes.Status400BadRequest,
            title: "The risk settings are not valid.", type: Problems.TypeBase + InvalidRiskSettings,
            extensions: new Dictionary<string, object?> { ["code"] = InvalidRiskSettings, ["errors"] = errors });
    }

    private static int? Bps(string? percent) => percent is null ? null : (int)(decimal.Parse(percent, CultureInfo.InvariantCulture) * 100);

    private static decimal? Amount(string? text) => text is null ? null : decimal.Parse(text, CultureInfo.InvariantCulture);

    public static async Task<Results<Ok<TradingSuspensionResponse>, ProblemHttpResult>> GetSuspensionAsync(string id, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var userId) || !await db.Users.AnyAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false))
        {
            return ExchangeProblems.NotFound($"No user '{id}'.");
        }
        var at = await db.Traders.AsNoTracking().Where(t => t.UserId == userId).Select(t => t.TradingSuspendedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new TradingSuspensionResponse(userId.ToString(), at is not null, at));
    }

    /// <summary>
    /// Suspends under the trader's group-commit lock (<see cref="RiskSql.LockTraders"/>): the placements in flight commit
    /// first, every later one sees the suspension. With <c>cancelOrders</c>, a cancel-all command per market where the
    /// user has open orders is appended in the same transaction (its sequence follows every order they placed, so
    /// pending ones are cancelled too, once placed).
    /// </summary>
    public static async Task<Results<Ok<TradingSuspensionResponse>, ProblemHttpResult>> SuspendAsync(
        string id, SuspendTradingRequest? request, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var cancelOrders = request?.CancelOrders ?? false;
        if (!Guid.TryParse(id, out var userId) || !await db.Users.AnyAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false))
        {
            return ExchangeProblems.NotFound($"No user '{id}'.");
        }
        var now = clock.GetUtcNow();
        var owner = await ExchangeCatalog.OwnerIdAsync(db, userId, now, cancellationToken).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlAsync(RiskSql.LockTrader(owner), cancellationToken).ConfigureAwait(false);
        var trader = await db.Traders.AsTracking().FirstAsync(t => t.OwnerId == owner, cancellationToken).ConfigureAwait(false);
        var already = trader.TradingSuspendedAt;
        trader.TradingSuspendedAt ??= now;
        var markets = new List<int>();
        if (cancelOrders)
        {
            markets = await db.Orders.AsNoTracking()
                .Where(o => o.OwnerId == owner && (o.Status == OrderStatus.Pending || o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled))
                .Select(o => o.MarketId).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var market in markets)
            {
                db.MarketCommands.Add(new MarketCommand { MarketId = market, Type = MarketCommandType.CancelAll, OwnerId = owner, Payload = """{"reason":"trading_suspended"}""", CreatedAt = now });
            }
        }
        await AuditLog.AppendAsync(db, "user.trading_suspended", now, http.User.UserId(), userId, http.ClientIp(),
            new { cancelOrders, markets = markets.Count, alreadySince = already }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var market in markets)
        {
            // Delivered at commit: wakes each market's matching host.
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({ExchangeCatalog.CommandsChannel}, {market.ToString(CultureInfo.InvariantCulture)})", cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new TradingSuspensionResponse(userId.ToString(), true, trader.TradingSuspendedAt));
    }

    public static async Task<Results<Ok<TradingSuspensionResponse>, ProblemHttpResult>> ResumeAsync(
        string id, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var userId) || !await db.Users.AnyAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false))
        {
            return ExchangeProblems.NotFound($"No user '{id}'.");
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var trader = await db.Traders.AsTracking().FirstOrDefaultAsync(t => t.UserId == userId, cancellationToken).ConfigureAwait(false);
        if (trader?.TradingSuspendedAt is { } since)
        {
            trader.TradingSuspendedAt = null;
            await AuditLog.AppendAsync(db, "user.trading_resumed", now, http.User.UserId(), userId, http.ClientIp(), new { suspendedAt = since }, cancellationToken).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new TradingSuspensionResponse(userId.ToString(), false, null));
    }
}
