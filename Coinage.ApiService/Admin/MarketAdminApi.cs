using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Markets;
using Coinage.ApiService.Security;
using Coinage.ApiService.Trading;
using Coinage.ApiService.Trading.Risk;
using Coinage.ApiService.Wallet;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Admin;

public sealed record CreateMarketRequest(
    string? BaseAsset, string? QuoteAsset, string? TickSize, string? LotSize, string? MinQuantity, string? MinNotional, string? MakerFeeBps, string? TakerFeeBps);

/// <param name="WithdrawalFee">Optional (default 0): the flat fee charged on top of each withdrawal, on the asset's grid.</param>
public sealed record CreateAssetRequest(string? Code, int? Precision, string? WithdrawalFee = null);

public sealed record WithdrawalFeeRequest(string? WithdrawalFee);

/// <summary>
/// <c>/api/v1/admin/markets</c> and <c>/api/v1/admin/assets</c> (Admin): add assets and markets, set an asset's
/// withdrawal fee, halt and resume trading. A halted market refuses new orders; cancels still work. The Worker's matching host picks a new
/// market up on its next scan of the markets table (<c>Coinage:Matching:AcquireInterval</c>), without a restart.
/// </summary>
public static partial class MarketAdminApi
{
    public const string InvalidMarketSpec = "invalid_market_spec";
    public const string MarketExists = "market_exists";
    public const string AssetExists = "asset_exists";
    public const string InvalidAsset = "invalid_asset";
    public const string InvalidWithdrawalFee = "invalid_withdrawal_fee";

    public static IEndpointRouteBuilder MapMarketAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin/markets").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/{symbol}/halt", (string symbol, HttpContext http, CoinageDbContext db, MarketStatusChanges changes, CancellationToken ct) =>
            SetStatusAsync(symbol, MarketStatus.Halted, http, db, changes, ct)).RequireStepUp().WithSummary("Halt a market: new orders are refused with market_halted; cancels go through");
        admin.MapPost("/{symbol}/cancel-only", (string symbol, HttpContext http, CoinageDbContext db, MarketStatusChanges changes, CancellationToken ct) =>
            SetStatusAsync(symbol, MarketStatus.CancelOnly, http, db, changes, ct)).RequireStepUp().WithSummary("Set a market cancel-only: new orders are refused with market_cancel_only; cancels go through");
        admin.MapPost("/{symbol}/resume", (string symbol, HttpContext http, CoinageDbContext db, MarketStatusChanges changes, CancellationToken ct) =>
            SetStatusAsync(symbol, MarketStatus.Open, http, db, changes, ct)).RequireStepUp().WithSummary("Resume continuous trading (also ends a circuit breaker's halt or cancel-only early)");
        admin.MapPost("", CreateMarketAsync).RequireStepUp().WithSummary("Add a market; its grid must keep every quantity and notional exact (docs/exchange.md)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        var assets = routes.MapGroup("/api/v1/admin/assets").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        assets.MapPost("", CreateAssetAsync).RequireStepUp().WithSummary("Add an asset (code, the decimals the ledger keeps, its withdrawal fee)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        assets.MapPut("/{code}/withdrawal-fee", SetWithdrawalFeeAsync).RequireStepUp()
            .WithSummary("Set an asset's withdrawal fee; withdrawals already requested keep the fee of their request")
            .WithDescription("Errors: 400 invalid_withdrawal_fee with errors.withdrawalFee; 404 not_found.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    public static async Task<Results<Created<MarketResponse>, ProblemHttpResult>> CreateMarketAsync(
        CreateMarketRequest request, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        if (request.BaseAsset is null || !assets.TryGetValue(request.BaseAsset.Trim().ToUpperInvariant(), out var baseAsset))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ExchangeErrorCodes.UnknownAsset, "baseAsset", $"Unknown asset '{request.BaseAsset}'.");
        }
        if (request.QuoteAsset is null || !assets.TryGetValue(request.QuoteAsset.Trim().ToUpperInvariant(), out var quoteAsset))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ExchangeErrorCodes.UnknownAsset, "quoteAsset", $"Unknown asset '{request.QuoteAsset}'.");
        }
        if (baseAsset.Code == quoteAsset.Code)
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidMarketSpec, "quoteAsset", "A market trades two different assets.");
        }
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (field, text) in new[] { ("tickSize", request.TickSize), ("lotSize", request.LotSize), ("minQuantity", request.MinQuantity), ("minNotional", request.MinNotional) })
        {
            if (!Money.TryParse(text, out var value) || value <= 0 || value > Asset.MaxAmount)
            {
                return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidMarketSpec, field, "A positive decimal string is required.");
            }
            values[field] = value;
        }
        foreach (var (field, text) in new[] { ("makerFeeBps", request.MakerFeeBps), ("takerFeeBps", request.TakerFeeBps) })
        {
            if (!Money.TryParse(text, out var value) || value > SpotMarket.MaxFeeBps || decimal.Round(value, 4) != value)
            {
                return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidMarketSpec, field, "A fee is 0 to 10000 basis points with at most 4 decimals.");
            }
            values[field] = value;
        }
        var symbol = $"{baseAsset.Code}-{quoteAsset.Code}";
        SpotMarket market;
        try
        {
            market = new SpotMarket(new MarketSpec(symbol, values["tickSize"], values["lotSize"]), baseAsset, quoteAsset, values["makerFeeBps"], values["takerFeeBps"]);
        }
        catch (ArgumentException ex)
        {
            var field = ex.ParamName is "makerFeeBps" or "takerFeeBps" ? ex.ParamName : "lotSize";
            return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidMarketSpec, field, ex.Message.Split(" (Parameter", 2)[0]);
        }
        if (!market.Spec.TryToQuantityLots(values["minQuantity"], out _))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidMarketSpec, "minQuantity", $"The minimum quantity must be a whole number of lots ({Money.Format(values["lotSize"])}).");
        }
        if (!quoteAsset.IsOnGrid(values["minNotional"]))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidMarketSpec, "minNotional", $"The minimum notional may have at most {quoteAsset.Precision} decimals.");
        }

        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var record = new MarketRecord
        {
            Symbol = symbol, BaseAsset = baseAsset.Code, QuoteAsset = quoteAsset.Code, TickSize = values["tickSize"], LotSize = values["lotSize"],
            MinQuantity = values["minQuantity"], MinNotional = values["minNotional"], MakerFeeBps = values["makerFeeBps"], TakerFeeBps = values["takerFeeBps"],
            Status = MarketStatus.Open, CreatedAt = now,
        };
        db.Markets.Add(record);
        await AuditLog.AppendAsync(db, "market.created", now, http.User.UserId(), null, http.ClientIp(), new
        {
            market = symbol, tickSize = Money.Format(record.TickSize), lotSize = Money.Format(record.LotSize), minQuantity = Money.Format(record.MinQuantity),
            minNotional = Money.Format(record.MinNotional), makerFeeBps = Money.Format(record.MakerFeeBps), takerFeeBps = Money.Format(record.TakerFeeBps),
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return ExchangeProblems.Conflict(MarketExists, $"The market {symbol} already exists.");
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/markets/{symbol}", MarketsApi.ToResponse(record, assets));
    }

    public static async Task<Results<Created<AssetResponse>, ProblemHttpResult>> CreateAssetAsync(
        CreateAssetRequest request, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var code = request.Code?.Trim().ToUpperInvariant() ?? "";
        if (!AssetCode().IsMatch(code))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidAsset, "code", "2 to 12 letters or digits, starting with a letter.");
        }
        if (request.Precision is not (>= 0 and <= 18))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidAsset, "precision", "The ledger keeps 0 to 18 decimals.");
        }
        var fee = 0m;
        if (request.WithdrawalFee is not null && !TryReadWithdrawalFee(request.WithdrawalFee, new Asset(code, request.Precision.Value), out fee, out var feeProblem))
        {
            return feeProblem!;
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var record = new AssetRecord { Code = code, Precision = request.Precision.Value, WithdrawalFee = fee };
        db.Assets.Add(record);
        // The system's accounts exist before the first deposit or fee, as for the seeded assets.
        db.Balances.Add(new BalanceRecord { OwnerId = 0, Asset = code, Kind = AccountKind.External, UpdatedAt = now });
        db.Balances.Add(new BalanceRecord { OwnerId = 0, Asset = code, Kind = AccountKind.Fees, UpdatedAt = now });
        await AuditLog.AppendAsync(db, "asset.created", now, http.User.UserId(), null, http.ClientIp(), new { asset = code, precision = request.Precision.Value, withdrawalFee = Money.Format(fee) }, cancellationToken).ConfigureAwait(false);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return ExchangeProblems.Conflict(AssetExists, $"The asset {code} already exists.");
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/admin/assets/{code}", MarketsApi.ToResponse(record));
    }

    /// <summary>
    /// Sets the fee of withdrawals requested from now on. The asset row is locked, so the audit entry's <c>from</c> is the
    /// fee this change replaced even when two Admins change it at once; a withdrawal keeps the fee it was requested with.
    /// </summary>
    public static async Task<Results<Ok<AssetResponse>, ProblemHttpResult>> SetWithdrawalFeeAsync(
        string code, WithdrawalFeeRequest request, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var asset = await db.Assets.FromSql($"SELECT * FROM assets WHERE code = {code.Trim().ToUpperInvariant()} FOR UPDATE")
            .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (asset is null)
        {
            return ExchangeProblems.NotFound($"No asset '{code}'.");
        }
        if (!TryReadWithdrawalFee(request.WithdrawalFee, asset.ToAsset(), out var fee, out var problem))
        {
            return problem!;
        }
        var before = asset.WithdrawalFee;
        asset.WithdrawalFee = fee;
        await AuditLog.AppendAsync(db, "asset.withdrawal_fee_changed", clock.GetUtcNow(), http.User.UserId(), null, http.ClientIp(),
            new { asset = asset.Code, from = Money.Format(before), to = Money.Format(fee) }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(MarketsApi.ToResponse(asset));
    }

    /// <summary>A fee is zero or more, on the asset's grid (the ledger books it exactly), and at most the largest edge amount.</summary>
    private static bool TryReadWithdrawalFee(string? text, Asset asset, out decimal fee, out ProblemHttpResult? problem)
    {
        problem = null;
        if (!Money.TryParse(text, out fee))
        {
            problem = FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidWithdrawalFee, "withdrawalFee", "The fee must be a decimal string of zero or more, e.g. \"0.0002\".");
        }
        else if (fee > Asset.MaxAmount)
        {
            problem = FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidWithdrawalFee, "withdrawalFee", $"The fee must be at most {Money.Format(Asset.MaxAmount)}.");
        }
        else if (!asset.IsOnGrid(fee))
        {
            problem = FieldProblems.Create(StatusCodes.Status400BadRequest, InvalidWithdrawalFee, "withdrawalFee", $"{asset.Code} amounts have at most {asset.Precision} decimals.");
        }
        return problem is null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Z][A-Z0-9]{1,11}$")]
    private static partial System.Text.RegularExpressions.Regex AssetCode();

    /// <summary>
    /// An Admin's kill switch: halt, cancel-only or open. The row is updated under FOR UPDATE, which waits for the group
    /// commits in flight (they hold it FOR KEY SHARE), so every order accepted before the answer was accepted while the
    /// market was open, and none after it (docs/exchange.md, "Halts"). It replaces whatever the circuit breaker had set.
    /// </summary>
    public static async Task<Results<Ok<MarketResponse>, ProblemHttpResult>> SetStatusAsync(
        string symbol, MarketStatus status, HttpContext http, CoinageDbContext db, MarketStatusChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var now = changes.Clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var market = await db.Markets.FromSql($"SELECT * FROM markets WHERE symbol = {symbol.ToUpperInvariant()} FOR UPDATE")
            .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (market is null)
        {
            return ExchangeProblems.NotFound($"No market '{symbol}'.");
        }
        var (previous, previousSource) = (market.Status, market.StatusSource);
        (market.Status, market.StatusSource, market.StatusUntil, market.StatusChangedAt) = (status, MarketStatusSource.Admin, null, now);
        var action = status switch { MarketStatus.Halted => "market.halted", MarketStatus.CancelOnly => "market.cancel_only", _ => "market.resumed" };
        await AuditLog.AppendAsync(db, action, now, http.User.UserId(), null, http.ClientIp(), new
        {
            market = market.Symbol, from = previous.ToString(), to = status.ToString(), fromSource = previousSource.ToString(),
        }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await changes.ChangedAsync(market, now).ConfigureAwait(false);
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(MarketsApi.ToResponse(market, assets));
    }
}
